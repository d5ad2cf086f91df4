import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { DeltaChannel, lineageKey } from '@recstream/deltas';
import { deserializeModel, vocabularyId } from '@recstream/models';
import { ModelRegistry } from '@recstream/registry';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { createHarness, followingDeltas, namespace, recommend, REDIS_URL, rowOf, startService, tearDown, until, type Harness, type RunningService } from './harness.js';

/**
 * Serving replicas behind a load balancer: a client spreads requests over
 * the instances in rotation while a new version is promoted (each instance
 * refreshes on its own), one instance is replaced (taken out of rotation,
 * closed, a new one put in) and the online updater publishes a row. Every
 * answer must be a 200 and every instance must end on the same state.
 */
let harness: Harness;
let scenario: Scenario;
const ns = namespace();
const redis = new Redis(REDIS_URL);
const started: RunningService[] = [];
/** Production is looked up often, so each instance finds a promotion on its own within the test. */
const options = () => ({ ...followingDeltas(ns), models: { pollIntervalMs: 300, hnsw: {} } });

async function start(): Promise<RunningService> {
  const running = await startService(harness.database.url, options());
  started.push(running);
  return running;
}

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis }, { namespace: ns });
}, 120_000);

afterAll(async () => {
  const [last, ...rest] = started;
  for (const running of rest) await running.close();
  await tearDown(last, redis, ns, harness);
});

describe('two serving instances', () => {
  it('answer every request through a promotion, a replaced instance and an online delta, and end on the same state', async () => {
    const rotation = [await start(), await start()];
    const registry = new ModelRegistry(harness.pool);
    const answered = new Map<RunningService, number>();
    const failures: unknown[] = [];
    let stop = false;
    const client = async (offset: number) => {
      for (let i = offset; !stop; i++) {
        const running = rotation[i % rotation.length]!;
        try {
          const { status, body } = await recommend(running.url, { user_id: scenario.users[i % scenario.users.length], k: 5 });
          if (status === 200) answered.set(running, (answered.get(running) ?? 0) + 1);
          else failures.push({ status, body });
        } catch (error) {
          // A request sent as the instance left rotation can meet its closing socket; a load balancer retries those, so only an instance still in rotation fails.
          if (rotation.includes(running)) failures.push(error);
        }
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));
    const answers = () => [...answered.values()].reduce((sum, count) => sum + count, 0);
    const more = async (count: number) => {
      const target = answers() + count;
      await until(async () => (answers() >= target ? true : undefined));
    };

    await more(20);
    const ranking = await registry.register({ role: 'ranking', modelType: 'neumf' }, scenario.rankingArtifact);
    const recall = await registry.register({ role: 'recall', modelType: 'mf' }, scenario.recallArtifact);
    await registry.setProduction(ranking.versionId);
    await registry.setProduction(recall.versionId);
    await more(20);
    // A rolling restart: out of rotation first, as a readiness probe would take it, then closed and replaced.
    const [leaving] = rotation.splice(0, 1);
    await leaving!.close();
    started.splice(started.indexOf(leaving!), 1);
    rotation.push(await start());
    await more(20);

    const model = deserializeModel(scenario.recallArtifact);
    const user = scenario.users[7]!;
    const everything = (running: RunningService) => recommend(running.url, { user_id: user, k: 200, context: { surface: 'home', device: 'mobile' } });
    const before = await everything(rotation[0]!);
    const unseen = scenario.items.find((item, i) => i % 37 !== 36 && !before.body.items.some((x) => x.item_id === item) && !scenario.sequences.get(user)!.includes(item))!;
    const target = rowOf(model, 'item', vocabularyId(unseen)).map((x) => 50 * x);
    await new DeltaChannel(redis, { prefix: ns }).publish(lineageKey(recall), { tables: { user: { ids: Int32Array.of(vocabularyId(user)), vectors: target } }, dense: {} });
    for (const running of rotation) {
      await until(async () => ((await everything(running)).body.items.some((item) => item.item_id === unseen) ? true : undefined));
    }
    await more(20);
    stop = true;
    await clients;
    model.dispose();

    expect(failures).toEqual([]);
    for (const running of [leaving!, ...rotation]) expect(answered.get(running)).toBeGreaterThan(0);
    for (const running of rotation) {
      expect(running.service.models.productionVersion('ranking')).toBe(ranking.versionId);
      expect(running.service.models.productionVersion('recall')).toBe(recall.versionId);
    }
  });
});
