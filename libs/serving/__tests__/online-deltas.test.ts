import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { OfflineStore, itemAttributes } from '@recstream/features';
import { deserializeModel, vocabularyId } from '@recstream/models';
import { DeltaChannel, lineageKey } from '@recstream/deltas';
import { ModelRegistry } from '@recstream/registry';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import {
  createHarness,
  everything as everythingFor,
  followingDeltas,
  namespace,
  recommend,
  REDIS_URL,
  rowOf,
  startService,
  steerToUnseen,
  tearDown,
  until,
  type Harness,
  type RunningService,
} from './harness.js';

let harness: Harness;
let scenario: Scenario;
let running: RunningService;
const ns = namespace();
const redis = new Redis(REDIS_URL);
let channel: DeltaChannel;
let recallLineage: string;
let rankingLineage: string;

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis }, { namespace: ns });
  running = await startService(harness.database.url, followingDeltas(ns));
  const registry = new ModelRegistry(harness.pool);
  recallLineage = lineageKey((await registry.get(scenario.recallVersion))!);
  rankingLineage = lineageKey((await registry.get(scenario.rankingVersion))!);
  channel = new DeltaChannel(redis, { prefix: ns });
}, 120_000);

afterAll(() => tearDown(running, redis, ns, harness));

const everything = (user: string) => everythingFor(running.url, user);

describe('serving with online deltas', () => {
  it('moves a user’s query vector when the updater publishes the user’s row', async () => {
    const { unseen, after } = await steerToUnseen(running.url, channel, scenario, recallLineage, scenario.users[7]!);
    expect(after.body.items.find((item) => item.item_id === unseen)!.sources).toContain('ann');
    expect(after.body.model_versions.recall).toBe(scenario.recallVersion);
  });

  it('makes items the models just learned recommendable once the catalogue has them, however close together they come', async () => {
    const recall = deserializeModel(scenario.recallArtifact);
    const user = scenario.users[3]!;
    const offline = new OfflineStore(harness.pool, { namespace: ns });
    const userRow = rowOf(recall, 'user', vocabularyId(user));
    const learn = async (item: string, bias: number) => {
      await offline.writeBatch({
        events: [],
        history: [{ view: itemAttributes.name, entityId: item, eventTime: Date.now(), values: { categories: ['cat-1'], tags: [], available: true, created_time: Date.now() } }],
      });
      // A large bias (the last float): the item tops every user's inner products.
      const itemRow = Float32Array.from(userRow, (x, i) => (i === userRow.length - 1 ? bias : 5 * x));
      await channel.publish(recallLineage, { tables: { item: { ids: Int32Array.of(vocabularyId(item)), vectors: itemRow } }, dense: {} });
    };
    const served = async (item: string) => (await everything(user)).body.items.find((x) => x.item_id === item);
    const [first, second] = [`item-fresh-${ns}-1`, `item-fresh-${ns}-2`];
    await learn(first, 20);
    expect((await until(() => served(first))).sources).toContain('ann');
    // Within the catalogue's reload interval of the first: its reload is put off, not skipped.
    await learn(second, 21);
    expect((await until(() => served(second))).sources).toContain('ann');
    recall.dispose();
  });

  it('scores with the ranking rows the updater publishes', async () => {
    const ranking = deserializeModel(scenario.rankingArtifact);
    const user = scenario.users[11]!;
    const before = await everything(user);
    const id = vocabularyId(user);
    const tables = Object.fromEntries(
      ['gmf_user', 'mlp_user'].map((name) => [name, { ids: Int32Array.of(id), vectors: rowOf(ranking, name, id).map((x) => -4 * x + 0.5) }]),
    );
    await channel.publish(rankingLineage, { tables, dense: {} });
    const scores = (body: typeof before.body) => new Map(body.items.map((item) => [item.item_id, item.score]));
    const changed = await until(async () => {
      const response = await everything(user);
      const now = scores(response.body);
      const was = scores(before.body);
      return [...now].some(([item, score]) => was.has(item) && was.get(item) !== score) ? response : undefined;
    });
    expect(changed.body.model_versions.ranking).toBe(scenario.rankingVersion);
    ranking.dispose();
  });
  it("keeps a frozen variant's copies at the offline versions while production follows the deltas", async () => {
    const ranking = deserializeModel(scenario.rankingArtifact);
    await harness.pool.query(`INSERT INTO experiments (experiment_id, surface) VALUES ('frozen-test', 'frozen')`);
    await harness.pool.query(
      `INSERT INTO experiment_variants (experiment_id, variant, share, recall_version, ranking_version, strategy)
       VALUES ('frozen-test', 'frozen', 1, $1, $2, '{"online": "frozen"}')`,
      [scenario.recallVersion, scenario.rankingVersion],
    );
    await running.service.refresh();
    const user = scenario.users[15]!;
    // A fixed time, so freshness cannot move a score: only the models can.
    const ask = (surface: string) => recommend(running.url, { user_id: user, k: 200, context: { surface, device: 'mobile', time: '2026-06-01T12:00:00Z' } });
    const scores = (body: Awaited<ReturnType<typeof ask>>['body']) => new Map(body.items.map((item) => [item.item_id, item.score]));
    const frozenBefore = await ask('frozen');
    expect(frozenBefore.body.experiment).toEqual({ id: 'frozen-test', variant: 'frozen' });
    const productionBefore = scores((await ask('home')).body);
    const id = vocabularyId(user);
    const tables = Object.fromEntries(
      ['gmf_user', 'mlp_user'].map((name) => [name, { ids: Int32Array.of(id), vectors: rowOf(ranking, name, id).map((x) => 3 * x - 0.4) }]),
    );
    await channel.publish(rankingLineage, { tables, dense: {} });
    await until(async () => {
      const now = scores((await ask('home')).body);
      return [...now].some(([item, score]) => productionBefore.has(item) && productionBefore.get(item) !== score) ? now : undefined;
    });
    const frozenAfter = await ask('frozen');
    expect(frozenAfter.body.model_versions).toEqual({ recall: scenario.recallVersion, ranking: scenario.rankingVersion });
    expect(scores(frozenAfter.body)).toEqual(scores(frozenBefore.body));
    await harness.pool.query(`UPDATE experiments SET active = false WHERE experiment_id = 'frozen-test'`);
    ranking.dispose();
  });
});
