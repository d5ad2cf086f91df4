import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { validateMessage, TOPICS } from '@recstream/schemas';
import { collectMessages, latestOffsets } from '@recstream/streams/inspect';
import { ApiKeyStore, apiKeyAuthorizer } from '@recstream/auth';
import { OnlineFeatureReader } from '@recstream/features';
import { ModelRegistry } from '@recstream/registry';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { bucket, DEFAULT_RECOMMENDER_OPTIONS, type RecommendationResponse } from '../src/index.js';
import { createHarness, kafka, namespace, recommend, REDIS_URL, startService, type Harness, type RunningService } from './harness.js';

let harness: Harness;
let scenario: Scenario;
let running: RunningService;
const ns = namespace();
const seedRedis = new Redis(REDIS_URL);
// A loaded shared machine can take longer than the production budget for one Redis read; degradation is tested by an unreachable Redis, not by timing.
const TEST_BUDGET = { featureTimeoutMs: 1_000 };

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis: seedRedis }, { namespace: ns });
  running = await startService(harness.database.url, { featureNamespace: ns, models: { pollIntervalMs: 60_000, hnsw: {} }, recommender: TEST_BUDGET });
}, 120_000);

afterAll(async () => {
  await running?.close();
  seedRedis.disconnect();
  await harness?.close();
});

describe('serving', () => {
  it('returns k distinct available items, none already consumed or excluded, and logs them as exposures', async () => {
    const user = scenario.users[4]!;
    const consumed = new Set(scenario.sequences.get(user));
    expect(consumed.size).toBeGreaterThan(0);
    const excluded = scenario.items.slice(0, 5);
    const from = await latestOffsets(kafka, TOPICS.events.name);
    const { status, body } = await recommend(running.url, { user_id: user, k: 10, context: { surface: 'home', device: 'mobile' }, filters: { exclude_items: excluded } });

    expect(status).toBe(200);
    expect(body.degraded).toBe(false);
    expect(body.items).toHaveLength(10);
    const ids = body.items.map((item) => item.item_id);
    expect(new Set(ids).size).toBe(10);
    for (const id of ids) {
      expect(consumed.has(id)).toBe(false);
      expect(excluded).not.toContain(id);
      // The scenario marks every 37th item unavailable.
      expect(Number(id.slice('item-'.length)) % 37).not.toBe(36);
    }
    expect(body.items.map((item) => item.position)).toEqual([...Array(10).keys()]);
    expect(body.model_versions).toEqual({ recall: scenario.recallVersion, ranking: scenario.rankingVersion });
    expect(body.items.some((item) => item.source === 'ann')).toBe(true);

    const messages = await collectMessages(kafka, TOPICS.events.name, {
      from,
      done: (all) => all.some((m) => m.value.includes(body.request_id)),
    });
    // The response's exposures travel as one message, an array of contract-valid events.
    const exposures = messages.filter((m) => m.value.includes(body.request_id));
    expect(exposures.map((m) => m.key)).toEqual([user]);
    const decoded = validateMessage(JSON.parse(exposures[0]!.value));
    expect(decoded.ok).toBe(true);
    const events = decoded.ok ? decoded.events : [];
    const byPosition = events.flatMap((e) => (e.type === 'exposure' ? [[e.context.position, e.item_id]] : []));
    expect(new Map(byPosition as [number, string][])).toEqual(new Map(ids.map((id, position) => [position, id])));
  });

  it("reads the user's features with their co-visitations in one read, and the candidates' in one more", async () => {
    const reads = ['readUserWithCovisits', 'readItems', 'read', 'readUser', 'covisited'] as const;
    const spies = reads.map((method) => vi.spyOn(OnlineFeatureReader.prototype, method));
    try {
      const { status, body } = await recommend(running.url, { user_id: scenario.users[5]!, k: 10 });
      expect(status).toBe(200);
      expect(body.degraded).toBe(false);
      expect(spies.map((spy) => spy.mock.calls.length)).toEqual([1, 1, 0, 0, 0]);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('keeps candidate rows in process between requests and counts where each came from', async () => {
    const itemRows = async () => {
      const text = await (await fetch(`${running.url}/metrics`)).text();
      const count = (source: string) => Number(new RegExp(`^serving_item_rows_total\\{source="${source}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1]);
      return { process: count('process'), redis: count('redis') };
    };
    const request = { user_id: scenario.users[7]!, k: 10 };
    expect((await recommend(running.url, request)).status).toBe(200);
    const before = await itemRows();
    expect(before.redis).toBeGreaterThan(0);
    expect((await recommend(running.url, request)).status).toBe(200);
    const after = await itemRows();
    expect(after.process).toBeGreaterThan(before.process);
  });

  it('gives items nobody has interacted with an exploration slot in some responses', async () => {
    const { rows } = await harness.pool.query<{ item_id: string }>("SELECT DISTINCT item_id FROM event_log WHERE type <> 'exposure'");
    const interacted = new Set(rows.map((row) => row.item_id));
    const explored = [];
    for (const user of scenario.users.slice(0, 30)) {
      const { body } = await recommend(running.url, { user_id: user, k: 6 });
      explored.push(...body.items.filter((item) => item.source === 'exploration'));
    }
    // Exploration rate 0.2 over 30 responses: the seeded draws give several.
    expect(explored.length).toBeGreaterThan(0);
    expect(explored.length).toBeLessThan(30);
    for (const item of explored) {
      expect(item.position).toBe(2);
      expect(interacted.has(item.item_id)).toBe(false);
    }
  });

  it('answers 400 naming the bad field', async () => {
    const noUser = await recommend(running.url, { k: 5 });
    expect(noUser.status).toBe(400);
    expect(noUser.body.errors?.map((e) => e.field)).toEqual(['user_id']);
    const badK = await recommend(running.url, { user_id: 'u', k: 0, context: { device: 'fridge' } });
    expect(badK.status).toBe(400);
    expect(badK.body.errors?.map((e) => e.field).sort()).toEqual(['context.device', 'k']);
  });

  it('returns k items above the ranking shortlist, and says why when fewer came back', async () => {
    const user = scenario.users[6]!;
    const many = await recommend(running.url, { user_id: user, k: 200 });
    expect(many.status).toBe(200);
    const count = many.body.items.length;
    expect(count).toBeGreaterThan(DEFAULT_RECOMMENDER_OPTIONS.rankCandidates);
    expect(new Set(many.body.items.map((item) => item.item_id)).size).toBe(count);
    expect(many.body.truncated_reason).toBe(count < 200 ? 'too_few_candidates' : null);
    expect((await recommend(running.url, { user_id: user, k: 10 })).body.truncated_reason).toBeNull();
    // All but five of the catalogue's available items excluded.
    const kept = scenario.items.filter((id) => Number(id.slice('item-'.length)) % 37 !== 36).slice(0, 5);
    const exclude_items = scenario.items.filter((id) => !kept.includes(id));
    const few = await recommend(running.url, { user_id: 'never-seen', k: 20, filters: { exclude_items } });
    expect([few.status, few.body.items.length, few.body.truncated_reason]).toEqual([200, 5, 'too_few_candidates']);
  });

  it('gives an unknown user a popular list for their context', async () => {
    const { status, body } = await recommend(running.url, { user_id: 'never-seen', k: 8, context: { device: 'desktop' } });
    expect(status).toBe(200);
    expect(body.items).toHaveLength(8);
    expect(body.items.some((item) => item.sources.includes('popular'))).toBe(true);
    expect(body.items.some((item) => item.sources.includes('ann'))).toBe(false);
  });

  it('swaps in a newly promoted version without failing a request', async () => {
    const registry = new ModelRegistry(harness.pool);
    const next = await registry.register({ role: 'ranking', modelType: 'neumf' }, scenario.rankingArtifact);
    const nextRecall = await registry.register({ role: 'recall', modelType: 'mf' }, scenario.recallArtifact);
    const served = new Set<string>();
    const statuses = new Set<number>();
    const failures: unknown[] = [];
    let promoted = false;
    const load = async () => {
      for (let i = 0; failures.length === 0 && !(promoted && served.has(`${nextRecall.versionId}/${next.versionId}`)); i++) {
        const { status, body } = await recommend(running.url, { user_id: scenario.users[i % scenario.users.length], k: 5 });
        statuses.add(status);
        if (status !== 200) failures.push(body);
        else served.add(`${body.model_versions.recall}/${body.model_versions.ranking}`);
      }
    };
    const clients = Promise.all([load(), load(), load(), load()]);
    await recommend(running.url, { user_id: scenario.users[0], k: 5 });
    await registry.setProduction(next.versionId);
    await registry.setProduction(nextRecall.versionId);
    promoted = true;
    await clients;
    expect(failures).toEqual([]);
    expect([...statuses]).toEqual([200]);
    expect(served.has(`${scenario.recallVersion}/${scenario.rankingVersion}`)).toBe(true);
    expect(running.service.models.productionVersion('ranking')).toBe(next.versionId);
    expect(running.service.models.productionVersion('recall')).toBe(nextRecall.versionId);
    // Swapping back leaves the store on the original versions again.
    await registry.setProduction(scenario.rankingVersion);
    await registry.setProduction(scenario.recallVersion);
    await running.service.refresh();
    expect(running.service.models.productionVersion('ranking')).toBe(scenario.rankingVersion);
  });

  it('assigns experiment variants deterministically, serves their pinned versions and reports per-variant CTR', async () => {
    const registry = new ModelRegistry(harness.pool);
    const pinned = await registry.register({ role: 'ranking', modelType: 'neumf' }, scenario.rankingArtifact);
    await harness.pool.query(`INSERT INTO experiments (experiment_id, surface) VALUES ('rank-test', 'home')`);
    await harness.pool.query(
      `INSERT INTO experiment_variants (experiment_id, variant, share, ranking_version, strategy) VALUES
         ('rank-test', 'control', 0.5, NULL, '{}'), ('rank-test', 'treatment', 0.5, $1, '{"diversity": 0.6}')`,
      [pinned.versionId],
    );
    await running.service.refresh();
    const experiment = {
      id: 'rank-test',
      surface: 'home',
      variants: [
        { name: 'control', share: 0.5, recallVersion: null, rankingVersion: null, strategy: {}, online: 'follow' as const },
        { name: 'treatment', share: 0.5, recallVersion: null, rankingVersion: pinned.versionId, strategy: {}, online: 'follow' as const },
      ],
    };
    const from = await latestOffsets(kafka, TOPICS.events.name);
    const responses: RecommendationResponse[] = [];
    for (const user of scenario.users.slice(0, 20)) {
      const { body } = await recommend(running.url, { user_id: user, k: 4, context: { surface: 'home' } });
      const expected = bucket(experiment, user);
      expect(body.experiment).toEqual({ id: 'rank-test', variant: expected.name });
      expect(body.model_versions.ranking).toBe(expected.name === 'treatment' ? pinned.versionId : scenario.rankingVersion);
      responses.push(body);
    }
    expect(new Set(responses.map((r) => r.experiment?.variant))).toEqual(new Set(['control', 'treatment']));
    const again = await recommend(running.url, { user_id: scenario.users[0], k: 4, context: { surface: 'home' } });
    expect(again.body.experiment).toEqual(responses[0]!.experiment);
    const elsewhere = await recommend(running.url, { user_id: scenario.users[0], k: 4, context: { surface: 'search' } });
    expect(elsewhere.body.experiment).toBeNull();

    // Close the loop: the exposures as the feature builder would log them, one click each on the first two responses.
    const requestIds = new Set(responses.map((r) => r.request_id));
    // A message holds one event or a response's array of them.
    const servedIn = (all: readonly { value: string }[]) => all.flatMap((m) => [JSON.parse(m.value)].flat()).filter((e) => requestIds.has(e.request_id));
    const messages = await collectMessages(kafka, TOPICS.events.name, {
      from,
      done: (all) => servedIn(all).length >= 80,
    });
    const exposures = servedIn(messages);
    expect(exposures.every((e) => e.experiment === 'rank-test' && ['control', 'treatment'].includes(e.variant))).toBe(true);
    const clicks = responses.slice(0, 2).map((r, n) => ({ ...exposures.find((e) => e.request_id === r.request_id), type: 'click', event_id: `click-${n}`, experiment: undefined, variant: undefined }));
    const rows = [...exposures, ...clicks];
    await harness.pool.query(
      `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload)
       SELECT to_timestamp(t / 1000.0), id, ty, u, i, r, x, v, '{}', '{}'
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS s(t, id, ty, u, i, r, x, v)`,
      [rows.map((e) => e.event_time), rows.map((e) => e.event_id), rows.map((e) => e.type), rows.map((e) => e.user_id), rows.map((e) => e.item_id), rows.map((e) => e.request_id), rows.map((e) => e.experiment ?? null), rows.map((e) => e.variant ?? null)],
    );
    const { rows: metrics } = await harness.pool.query('SELECT * FROM experiment_variant_metrics ORDER BY variant');
    const exposed = (variant: string) => exposures.filter((e) => e.variant === variant).length;
    const clicked = (variant: string) => responses.slice(0, 2).filter((r) => r.experiment?.variant === variant).length;
    expect(metrics.map((m) => [m.variant, Number(m.exposures), Number(m.clicks)])).toEqual(
      ['control', 'treatment'].filter((v) => exposed(v) > 0).map((v) => [v, exposed(v), clicked(v)]),
    );
    for (const m of metrics) {
      expect(m.ctr).toBeCloseTo(Number(m.clicks) / Number(m.exposures), 9);
      // The per-user sums a user-level interval is computed from.
      const perUser = new Map<string, number>();
      for (const e of exposures.filter((e) => e.variant === m.variant)) perUser.set(e.user_id, (perUser.get(e.user_id) ?? 0) + 1);
      expect([Number(m.users), Number(m.exposures_sq)]).toEqual([perUser.size, [...perUser.values()].reduce((sum, n) => sum + n * n, 0)]);
    }
    await harness.pool.query(`UPDATE experiments SET active = false WHERE experiment_id = 'rank-test'`);
    await running.service.refresh();
  });

  it('serves a degraded but valid list when Redis is unreachable', async () => {
    // Nothing listens on port 1; the serving Redis client fails fast instead of queueing.
    const offline = await startService(harness.database.url, { featureNamespace: ns, recommender: TEST_BUDGET }, 'redis://127.0.0.1:1');
    try {
      const { status, body } = await recommend(offline.url, { user_id: scenario.users[2], k: 10, context: { device: 'tablet' } });
      expect(status).toBe(200);
      expect(body.degraded).toBe(true);
      expect(body.degraded_reasons).toContain('features_unavailable');
      expect(body.items).toHaveLength(10);
      expect(new Set(body.items.map((item) => item.item_id)).size).toBe(10);
      expect(body.model_versions.ranking).toBe(running.service.models.productionVersion('ranking'));
    } finally {
      await offline.close();
    }
  });

  it('serves contextual popular items, flagged degraded, when no model is in production', async () => {
    const { rows } = await harness.pool.query('DELETE FROM model_production RETURNING role, version_id');
    const modelless = await startService(harness.database.url, { featureNamespace: ns, recommender: TEST_BUDGET });
    try {
      const { status, body } = await recommend(modelless.url, { user_id: scenario.users[3], k: 6, context: { device: 'mobile' } });
      expect(status).toBe(200);
      expect(body.degraded_reasons.sort()).toEqual(['index_unavailable', 'ranking_unavailable']);
      expect(body.model_versions).toEqual({ recall: null, ranking: null });
      expect(body.items).toHaveLength(6);
      expect(body.items.every((item) => !item.sources.includes('ann'))).toBe(true);
      expect(body.items.some((item) => item.sources.includes('popular'))).toBe(true);
    } finally {
      await modelless.close();
      const registry = new ModelRegistry(harness.pool);
      for (const row of rows) await registry.setProduction(Number(row.version_id));
    }
  });

  it('requires an API key with the serve scope when authentication is on', async () => {
    const store = new ApiKeyStore(harness.pool);
    const guarded = await startService(harness.database.url, {
      featureNamespace: ns,
      recommender: TEST_BUDGET,
      authorize: apiKeyAuthorizer(harness.pool),
    });
    try {
      const call = (key?: string) =>
        fetch(`${guarded.url}/v1/recommendations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
          body: JSON.stringify({ user_id: scenario.users[0], k: 3 }),
        });
      expect((await call()).status).toBe(401);
      expect((await call((await store.create('writer', ['ingest'])).key)).status).toBe(403);
      expect((await call((await store.create('app', ['serve'])).key)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
