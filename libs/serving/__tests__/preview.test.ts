/**
 * POST /v1/recommendations/preview: a request served as a named variant of
 * the surface's experiment, with nothing recorded, for operators (and
 * bench:quality's paired comparison) to see what a variant would show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ApiKeyStore, apiKeyAuthorizer } from '@recstream/auth';
import { TOPICS } from '@recstream/schemas';
import { collectMessages, latestOffsets } from '@recstream/streams/inspect';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { bucket, type Experiment, type RecommendationResponse } from '../src/index.js';
import { createHarness, kafka, namespace, recommend, REDIS_URL, startService, tearDown, type Harness, type RunningService } from './harness.js';

let harness: Harness;
let scenario: Scenario;
let running: RunningService;
const ns = namespace();
const seedRedis = new Redis(REDIS_URL);
// No random draws (exploration off), so two requests with nothing changed between them get the same list.
const DETERMINISTIC = { featureTimeoutMs: 1_000, rerank: { explorationRate: 0 }, recall: { explorationCandidates: 0 } };
const variant = (name: string, strategy: Experiment['variants'][number]['strategy']) => ({ name, share: 0.5, recallVersion: null, rankingVersion: null, strategy, online: 'follow' as const });
const experiment: Experiment = { id: 'preview-test', surface: 'home', variants: [variant('control', {}), variant('diverse', { diversity: 0.8 })] };
const context = { surface: 'home', device: 'mobile', time: '2026-06-01T12:00:00Z' };

async function preview(url: string, body: unknown, key?: string): Promise<{ status: number; body: RecommendationResponse & { errors?: { field: string }[] } }> {
  const response = await fetch(`${url}/v1/recommendations/preview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as RecommendationResponse & { errors?: { field: string }[] } };
}

async function requestsCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return [...text.matchAll(/^serving_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis: seedRedis }, { namespace: ns });
  await harness.pool.query(`INSERT INTO experiments (experiment_id, surface) VALUES ($1, $2)`, [experiment.id, experiment.surface]);
  await harness.pool.query(
    `INSERT INTO experiment_variants (experiment_id, variant, share, strategy) VALUES ($1, 'control', 0.5, '{}'), ($1, 'diverse', 0.5, '{"diversity": 0.8}')`,
    [experiment.id],
  );
  running = await startService(harness.database.url, { featureNamespace: ns, models: { pollIntervalMs: 60_000, hnsw: {} }, recommender: DETERMINISTIC });
}, 120_000);

afterAll(() => tearDown(running, seedRedis, ns, harness));

describe('preview', () => {
  it("serves the named variant's list as a real request of that variant gets it, logging no exposure and counting no request", async () => {
    const from = await latestOffsets(kafka, TOPICS.events.name);
    const previews: RecommendationResponse[] = [];
    const checked = new Set<string>();
    for (const user of scenario.users.slice(0, 12)) {
      const own = bucket(experiment, user).name;
      const other = own === 'control' ? 'diverse' : 'control';
      const counted = await requestsCounted(running.url);
      const asOwn = await preview(running.url, { user_id: user, k: 10, context, variant: own });
      const asOther = await preview(running.url, { user_id: user, k: 10, context, variant: other });
      expect([asOwn.status, asOther.status]).toEqual([200, 200]);
      expect(asOther.body.experiment).toEqual({ id: experiment.id, variant: other });
      previews.push(asOwn.body, asOther.body);
      expect(await requestsCounted(running.url)).toBe(counted);

      const real = await recommend(running.url, { user_id: user, k: 10, context });
      expect(real.body.experiment).toEqual({ id: experiment.id, variant: own });
      expect(asOwn.body.items.map((item) => item.item_id)).toEqual(real.body.items.map((item) => item.item_id));
      checked.add(own);
    }
    expect(checked).toEqual(new Set(['control', 'diverse']));

    // Exposures leave in order: once the last real request's are on the topic, any preview's would be too.
    const last = await recommend(running.url, { user_id: scenario.users[0], k: 3, context });
    const messages = await collectMessages(kafka, TOPICS.events.name, { from, done: (all) => all.some((m) => m.value.includes(last.body.request_id)) });
    for (const { request_id } of previews) expect(messages.some((m) => m.value.includes(request_id))).toBe(false);
  });

  it('answers 400 naming `variant` when it is missing or not a variant of the surface\'s experiment', async () => {
    const user = scenario.users[1]!;
    const fields = async (body: object) => {
      const response = await preview(running.url, { user_id: user, k: 5, ...body });
      expect(response.status).toBe(400);
      return response.body.errors?.map((e) => e.field);
    };
    expect(await fields({ context })).toEqual(['variant']);
    expect(await fields({ context, variant: 'treatment' })).toEqual(['variant']);
    expect(await fields({ context: { ...context, surface: 'search' }, variant: 'control' })).toEqual(['variant']);
    expect(await fields({ context, variant: 'control', k: 0 })).toEqual(['k']);
  });

  it('needs the admin scope, which a serve key lacks', async () => {
    const store = new ApiKeyStore(harness.pool);
    const guarded = await startService(harness.database.url, { featureNamespace: ns, recommender: DETERMINISTIC, authorize: apiKeyAuthorizer(harness.pool) });
    try {
      const body = { user_id: scenario.users[0], k: 3, context, variant: 'control' };
      expect((await preview(guarded.url, body)).status).toBe(401);
      expect((await preview(guarded.url, body, (await store.create('app', ['serve'])).key)).status).toBe(403);
      expect((await preview(guarded.url, body, (await store.create('ops', ['admin'])).key)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
