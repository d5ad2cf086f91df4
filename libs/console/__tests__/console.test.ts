/**
 * The console end to end in a real browser: a fresh database with registered
 * model versions and an experiment's exposures and clicks, a real
 * ServingService behind the recommendation view, a BullMQ queue and a Kafka
 * consumer group with known backlogs, and the page driven by headless
 * Chromium (Debian's package) through playwright-core. It saves a screenshot.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ApiKeyStore, apiKeyAuthorizer } from '@recstream/auth';
import { brokersFrom, createLogger } from '@recstream/platform';
import { teardown, unusedPort } from '@recstream/platform/testing';
import { ModelRegistry } from '@recstream/registry';
import { refreshBiViews } from '@recstream/samples';
import { QUEUES, type ModelRole } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { ServingService, createServingRedis } from '@recstream/serving';
import { seedScenario, type Scenario } from '@recstream/serving/testing';
import { createKafka, createProducer } from '@recstream/streams';
import { ConsoleService, readExperiments } from '../src/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(fileURLToPath(new URL('../../../', import.meta.url)), '.data/screenshots/console.png');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('console-test', process.env.TEST_LOG_LEVEL ?? 'silent');
const kafkaOptions = { clientId: 'console-test', brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger };
const kafka = createKafka(kafkaOptions);
const run = randomUUID().slice(0, 8);
const topic = `console-test-${run}`;
const group = `console-test-group-${run}`;
const prefix = `console-test-${run}`;
const namespace = `console-test-${run}`;

let database: TestDatabase;
let pool: pg.Pool;
let redis: Redis;
let queue: Queue;
let scenario: Scenario;
let serving: ServingService;
let consoleService: ConsoleService;
let consoleUrl: string;
let adminKey: string;
let serveKey: string;
let context: BrowserContext;
let page: Page;
let profile: string;
let closedPort: number;

const versions: Record<ModelRole, { versionId: number; metrics: Record<string, number> }[]> = { recall: [], ranking: [] };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's package with 'apt-get install -y chromium' (.ci/run does) or set CHROMIUM_PATH`);
  }
  database = await createTestDatabase();
  closedPort = await unusedPort();
  pool = new pg.Pool({ connectionString: database.url, max: 6 });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });

  // Two earlier candidates per role, then the scenario's production versions, each with offline metrics.
  const registry = new ModelRegistry(pool);
  const candidates = { recall: [{ hr_at_10: 0.41, ndcg_at_10: 0.22 }, { hr_at_10: 0.47, ndcg_at_10: 0.26 }], ranking: [{ auc: 0.7, logloss: 0.52, train_samples_per_s: 150_000 }, { auc: 0.73, logloss: 0.49, train_samples_per_s: 162_000 }] };
  for (const [role, metricsList] of Object.entries(candidates) as [ModelRole, Record<string, number>[]][]) {
    for (const metrics of metricsList) {
      const version = await registry.register({ role, modelType: role === 'recall' ? 'mf' : 'neumf', metrics, datasetVersion: 'ds-console-1' }, new Uint8Array([1, 2, 3]));
      versions[role].push({ versionId: version.versionId, metrics });
    }
  }
  scenario = await seedScenario({ pool, redis }, { namespace, items: 120, users: 30, interactionsPerUser: 10, loggedInteractions: 300, rankingSamples: 600, epochs: 1 });
  const production = { recall: { versionId: scenario.recallVersion, metrics: { hr_at_10: 0.52, ndcg_at_10: 0.3 } }, ranking: { versionId: scenario.rankingVersion, metrics: { auc: 0.76, logloss: 0.47, train_samples_per_s: 158_000 } } };
  for (const [role, version] of Object.entries(production) as [ModelRole, (typeof production)['recall']][]) {
    await pool.query('UPDATE model_versions SET metrics = $2 WHERE version_id = $1', [version.versionId, version.metrics]);
    versions[role].push(version);
  }

  // An experiment: 20 users per variant with 10 exposures each; control's u2..u20 click once,
  // treatment's u1..u19 twice and u21..u39 once (10 and 30 clicks).
  await pool.query(`INSERT INTO experiments (experiment_id, description, surface) VALUES ('exp-console', 'diversity 0.5 against production', 'home')`);
  await pool.query(`INSERT INTO experiment_variants (experiment_id, variant, share, strategy) VALUES ('exp-console', 'control', 0.5, '{}'), ('exp-console', 'treatment', 0.5, '{"diversity": 0.5}')`);
  await pool.query(
    `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, payload)
     SELECT now(), 'exp-' || g, 'exposure', 'u' || (g % 40), 'item-' || g, 'req-' || g, 'exp-console', CASE WHEN g % 2 = 0 THEN 'control' ELSE 'treatment' END, '{}'
       FROM generate_series(1, 400) g`,
  );
  await pool.query(
    `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, payload)
     SELECT now(), 'click-' || g, 'click', 'u' || (g % 40), 'item-' || g, 'req-' || g, '{}'
       FROM generate_series(1, 400) g
      WHERE (g % 2 = 0 AND g <= 20) OR (g % 2 = 1 AND g <= 59)`,
  );
  // Serving lost 7 of the treatment's exposures before they reached Kafka.
  await pool.query(`INSERT INTO experiment_exposures_dropped (experiment, variant, dropped) VALUES ('exp-console', 'treatment', 7)`);
  await refreshBiViews(pool);

  // Backlogs: 2 waiting train jobs; a consumer group 3 messages behind on a topic of 5.
  queue = new Queue(QUEUES.train, { connection: redis, prefix });
  await queue.add('train', { datasetVersion: 'ds-console-1', modelType: 'mf', role: 'recall' });
  await queue.add('train', { datasetVersion: 'ds-console-1', modelType: 'deepfm', role: 'ranking' });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = createProducer(kafka);
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: String(i) })) });
  await producer.disconnect();
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
  await admin.disconnect();

  const keys = new ApiKeyStore(pool);
  adminKey = (await keys.create('console-admin', ['admin'])).key;
  serveKey = (await keys.create('site', ['serve'])).key;
  const authorize = apiKeyAuthorizer(pool);

  serving = new ServingService(
    { pool, redis: createServingRedis({ redisUrl: REDIS_URL }, logger), kafka: kafkaOptions, logger },
    { port: 0, host: '127.0.0.1', featureNamespace: namespace, models: { pollIntervalMs: 60_000, hnsw: {} }, recommender: { featureTimeoutMs: 1_000 }, authorize },
  );
  const servingUrl = `http://127.0.0.1:${await serving.start()}`;
  consoleService = new ConsoleService(
    { pool, redis, kafka, logger },
    {
      port: 0,
      host: '127.0.0.1',
      servingUrl,
      metricsTargets: [{ name: 'serving', url: `${servingUrl}/metrics` }, { name: 'ingester', url: `http://127.0.0.1:${closedPort}/metrics` }],
      scraper: { intervalMs: 200, timeoutMs: 1_000, historyLength: 100 },
      consumerGroups: [group],
      bullmqPrefix: prefix,
      authorize,
    },
  );
  consoleUrl = `http://127.0.0.1:${await consoleService.start()}`;

  profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
}, 180_000);

afterAll(async () => {
  const admin = kafka.admin();
  await teardown('console test', [
    ['closing the browser', () => context?.close()],
    ['removing the browser profile', () => profile && rmSync(profile, { recursive: true, force: true })],
    ['closing the console', () => consoleService?.close()],
    ['closing serving', () => serving?.close()],
    ['removing the queue', async () => {
      await queue?.obliterate({ force: true });
      await queue?.close();
    }],
    // Either may be missing when setup failed before creating it; the rest of the cleanup still runs.
    ['removing the Kafka group and topic', async () => {
      await admin.connect();
      await admin.deleteGroups([group]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }],
    ['closing Redis and Postgres', async () => {
      redis?.disconnect();
      await pool?.end();
      await database?.drop();
    }],
  ]);
}, 120_000);


const get = (path: string, key?: string) => fetch(`${consoleUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
const texts = (selector: string) => page.locator(selector).allInnerTexts();

describe('console API', () => {
  it('serves the page without a key, but its data only to admin keys', async () => {
    const html = await get('/');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(await html.text()).toContain('/assets/chart.umd.min.js');
    expect((await get('/assets/chart.umd.min.js')).status).toBe(200);
    expect((await get('/api/models')).status).toBe(401);
    const forbidden = await get('/api/models', serveKey);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { error: string }).error).toContain("lacks the 'admin' scope");
    expect((await get('/api/models', adminKey)).status).toBe(200);
  });

  it('compares the treatment with the control with user-level intervals, and checks users per variant against the shares', async () => {
    const [experiment] = (await (await get('/api/experiments', adminKey)).json()) as {
      id: string;
      control: string;
      variants: { variant: string; exposures: number; exposuresDropped: number; users: number; clicks: number; ctr: { rate: number; low: number; high: number }; versusControl: { rate: number; low: number; high: number } | null }[];
      sampleRatio: { chiSquare: number; pValue: number; mismatch: boolean };
    }[];
    expect(experiment!.id).toBe('exp-console');
    expect(experiment!.control).toBe('control');
    const [control, treatment] = experiment!.variants;
    expect(control).toMatchObject({ variant: 'control', exposures: 200, exposuresDropped: 0, users: 20, clicks: 10, versusControl: null });
    expect(treatment).toMatchObject({ variant: 'treatment', exposures: 200, exposuresDropped: 7, users: 20, clicks: 30 });
    expect(control!.ctr.rate).toBeCloseTo(0.05, 10);
    // Per-user clicks vary with sample variance 5/19 in both variants, 10 exposures each: se = √(5/19 / (20 · 10²)).
    const se = Math.sqrt(5 / 19 / 2_000);
    expect(control!.ctr.low).toBeCloseTo(0.05 - 1.959964 * se, 5);
    expect(control!.ctr.high).toBeCloseTo(0.05 + 1.959964 * se, 5);
    expect(treatment!.versusControl!.rate).toBeCloseTo(0.1, 10);
    expect(treatment!.versusControl!.low).toBeCloseTo(0.1 - 1.959964 * Math.SQRT2 * se, 5);
    expect(experiment!.sampleRatio).toMatchObject({ chiSquare: 0, pValue: 1, mismatch: false });
    expect((await readExperiments(pool, { experimentId: 'exp-console' })).map((e) => e.id)).toEqual(['exp-console']);
    expect(await readExperiments(pool, { experimentId: 'no-such-experiment' })).toEqual([]);
  });

  it("passes serving's validation errors through and names serving when it is unreachable", async () => {
    const response = await fetch(`${consoleUrl}/api/recommend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'user-1', k: 500 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['k']);

    const detached = new ConsoleService({ pool, redis, kafka, logger }, { port: 0, host: '127.0.0.1', servingUrl: `http://127.0.0.1:${closedPort}`, bullmqPrefix: prefix });
    const port = await detached.start();
    try {
      const unreachable = await fetch(`http://127.0.0.1:${port}/api/recommend`, { method: 'POST', body: JSON.stringify({ user_id: 'user-1' }) });
      expect(unreachable.status).toBe(502);
      expect(((await unreachable.json()) as { error: string }).error).toMatch(new RegExp(`^serving at http://127\\.0\\.0\\.1:${closedPort} is unreachable: .*ECONNREFUSED`));
    } finally {
      await detached.close();
    }
  });
});

describe('console page in Chromium', () => {
  it('refuses a bad key and shows what the key may see after signing in', async () => {
    await page.goto(consoleUrl);
    expect(await page.textContent('#sign-in-hint')).toContain('npm run keys -- create --name NAME --scopes serve,admin');
    await page.fill('#api-key', 'rs_not-a-key');
    await page.click('#sign-in button');
    await expect.poll(() => page.textContent('#sign-in-error')).toBe('Signing in failed: malformed API key');
    expect(await page.isVisible('#console')).toBe(false);

    await page.fill('#api-key', adminKey);
    await page.click('#sign-in button');
    await page.waitForSelector('#console', { state: 'visible' });
    expect(await page.isVisible('#sign-in')).toBe(false);
  });

  it('charts every model version with its metrics, samples/s on an axis of its own, and marks the production ones', async () => {
    for (const role of ['recall', 'ranking'] as const) {
      const chart = await page.evaluate((id) => {
        const found = (globalThis as unknown as { Chart: { getChart(id: string): { data: { labels: string[]; datasets: { label: string; data: (number | null)[]; yAxisID: string }[] } } | undefined } }).Chart.getChart(id);
        return found && { labels: found.data.labels, datasets: found.data.datasets.map((d) => ({ label: d.label, data: d.data })), axes: Object.fromEntries(found.data.datasets.map((d) => [d.label, d.yAxisID])) };
      }, `${role}-chart`);
      const expected = versions[role];
      expect(chart!.labels).toEqual(expected.map((v) => `v${v.versionId} ${role === 'recall' ? 'mf' : 'neumf'}`));
      const metricNames = Object.keys(expected[0]!.metrics).sort();
      expect(chart!.datasets).toEqual(metricNames.map((metric) => ({ label: metric, data: expected.map((v) => v.metrics[metric]) })));
      expect(chart!.axes).toEqual(Object.fromEntries(metricNames.map((metric) => [metric, metric === 'train_samples_per_s' ? 'magnitude' : 'quality'])));
    }
    const rows = await texts('#models-table tbody tr');
    expect(rows).toHaveLength(6);
    const productionRow = rows.find((row) => row.startsWith(`v${scenario.rankingVersion}`))!;
    expect(productionRow).toContain('production');
    expect(productionRow).toContain('auc 0.7600');
    const candidateRow = rows.find((row) => row.startsWith(`v${versions.ranking[0]!.versionId}`))!;
    expect(candidateRow).not.toContain('production');
    expect(candidateRow).toContain('logloss 0.5200');
  });

  it('charts daily users and CTR from the BI views', async () => {
    const { rows } = await pool.query<{ day: string; active_users: string }>(
      "SELECT to_char(day, 'YYYY-MM-DD') AS day, active_users FROM bi_daily_active_users ORDER BY day",
    );
    expect(rows.length).toBeGreaterThan(1);
    const chart = await page.evaluate(() => {
      const found = (globalThis as unknown as { Chart: { getChart(id: string): { data: { labels: string[]; datasets: { label: string; data: unknown[] }[] } } | undefined } }).Chart.getChart('traffic-chart');
      return found && { labels: found.data.labels, activeUsers: found.data.datasets[0]!.data };
    });
    expect(chart).toEqual({ labels: rows.map((row) => row.day), activeUsers: rows.map((row) => Number(row.active_users)) });
    const today = (await pool.query<{ day: string; exposures: string; clicks: string }>(
      "SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(exposures) AS exposures, sum(clicks) AS clicks FROM bi_daily_events WHERE day = (now() AT TIME ZONE 'UTC')::date GROUP BY day",
    )).rows[0]!;
    const cells = (await page.locator(`#traffic-table tr[data-day="${today.day}"]`).innerText()).split('\t');
    expect(cells.slice(3, 6)).toEqual([today.exposures, today.clicks, (Number(today.clicks) / Number(today.exposures)).toFixed(4)]);
  });

  it('shows the experiment table and its interval chart', async () => {
    const control = await page.locator('[data-experiment="exp-console"] tr[data-variant="control"]').innerText();
    const treatment = await page.locator('[data-experiment="exp-console"] tr[data-variant="treatment"]').innerText();
    expect(control.split('\t').slice(0, 7)).toEqual(['control', '0.50', '20', '200', '0', '10', '0.0500']);
    expect(treatment.split('\t').slice(0, 7)).toEqual(['treatment', '0.50', '20', '200', '7', '30', '0.1500']);
    expect(await page.locator('[data-experiment="exp-console"] .exposures-dropped').innerText()).toMatch(/^Exposures dropped: serving could not deliver 7 of treatment to Kafka/);
    expect(treatment).toMatch(/\+0\.1000 \(\+0\.0682 to \+0\.1318\) significant/);
    expect(await page.locator('[data-experiment="exp-console"] .sample-ratio').innerText()).toBe('Sample ratio: chi-square 0.00 (1 df), p 1.0000; users per variant match the shares.');
    const chart = await page.evaluate(() => {
      const found = (globalThis as unknown as { Chart: { getChart(id: string): { data: { datasets: { data: unknown[] }[] } } | undefined } }).Chart.getChart('experiment-0-chart');
      return found?.data.datasets.map((d) => d.data);
    });
    expect(chart![0]).toEqual([0.05, 0.15]);
    const intervals = chart![1] as [number, number][];
    expect(intervals.every(([low, high], i) => low < [0.05, 0.15][i]! && high > [0.05, 0.15][i]!)).toBe(true);
  });

  it('shows apps up and down, consumer lag, queue depths and a throughput chart', async () => {
    expect(await page.locator('#targets-table tr[data-target="serving"] td').nth(1).innerText()).toBe('up');
    expect(await page.locator('#targets-table tr[data-target="ingester"] td').nth(1).innerText()).toBe(`down: connect ECONNREFUSED 127.0.0.1:${closedPort}`);
    expect(await page.locator(`#lag-table tr[data-group="${group}"]`).innerText()).toBe(`${group}\t3\t1`);
    expect(await page.locator('#queues-table tr[data-queue="train"]').innerText()).toBe('train\t2\t0\t0\t0\t0');
    const labels = await page.evaluate(() => {
      const found = (globalThis as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[]; datasets: { label: string }[] } } | undefined } }).Chart.getChart('throughput-chart');
      return found && { points: found.data.labels.length, datasets: found.data.datasets.map((d) => d.label) };
    });
    expect(labels!.datasets).toEqual(['serving per second', 'ingester per second']);
    expect(labels!.points).toBeGreaterThan(0);
  });

  it('recommends for a user with each item’s score and recall sources, then saves a screenshot', async () => {
    await page.fill('#recommend-user', scenario.users[3]!);
    await page.fill('#recommend-k', '8');
    await page.click('#recommend-form button');
    await page.waitForSelector('#recommend-table tbody tr');
    const rows = (await texts('#recommend-table tbody tr')).map((row) => row.split('\t'));
    expect(rows).toHaveLength(8);
    expect(rows.map((row) => row[0])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    for (const [, item, score, source, sources] of rows) {
      expect(scenario.items).toContain(item);
      expect(Number.isFinite(Number(score))).toBe(true);
      expect(['ann', 'covisit', 'popular', 'trending', 'exploration']).toContain(source);
      expect(sources!.split(', ')).toContain(source);
    }
    expect(rows.some((row) => row[3] === 'ann')).toBe(true);
    expect(await page.textContent('#recommend-summary')).toContain(`recall v${scenario.recallVersion}, ranking v${scenario.rankingVersion}`);
    const bars = await page.evaluate(() => {
      const found = (globalThis as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[] } } | undefined } }).Chart.getChart('recommend-chart');
      return found?.data.labels;
    });
    expect(bars).toEqual(rows.map((row) => row[1]));

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });
});
