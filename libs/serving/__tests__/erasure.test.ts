import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { isUserTable, vocabularyId, type RecModel } from '@recstream/models';
import { DeltaChannel, lineageKey } from '@recstream/deltas';
import { UserEraser } from '@recstream/privacy';
import { ModelRegistry } from '@recstream/registry';
import type { ServedRecall } from '../src/models/served-model.js';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { createHarness, followingDeltas, namespace, recommend, REDIS_URL, startService, tearDown, type Harness, type RunningService } from './harness.js';

let harness: Harness;
let scenario: Scenario;
let running: RunningService;
const ns = namespace();
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis }, { namespace: ns });
  running = await startService(harness.database.url, {
    ...followingDeltas(ns),
    // Far longer than the test: the erasure's NOTIFY must bring it.
    erasures: { pollIntervalMs: 60_000 },
  });
}, 120_000);

afterAll(() => tearDown(running, redis, ns, harness));

const knows = (model: RecModel, userId: string) => [...model.tables()].some(([name, table]) => isUserTable(name) && table.row(vocabularyId(userId), false) >= 0);

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const annItems = async (user: string) =>
  (await recommend(running.url, { user_id: user, k: 50, context: { surface: 'home', device: 'mobile' } })).body.items.filter((item) => item.sources.includes('ann'));

describe('serving and user erasure', () => {
  it('forgets an erased user in every loaded model at once, treats them as new, and takes none of their rows from later deltas', async () => {
    const user = scenario.users[3]!;
    const models = () => running.service.models.productionModels();
    const recall = () => models().find((served) => served.role === 'recall') as ServedRecall;
    expect(models().map((served) => knows(served.model, user))).toEqual([true, true]);
    expect((await annItems(user)).length).toBeGreaterThan(0);

    await new UserEraser(harness.pool, redis, { namespace: ns }).erase({ userId: user, requestedBy: 'test' });
    await until(() => models().every((served) => !knows(served.model, user)));
    expect(recall().embedder.knowsUser(vocabularyId(user))).toBe(false);
    // No history and no embedding: the cold-start path, popular lists only.
    expect(await annItems(user)).toEqual([]);

    // A delta the updater published before it learned of the erasure, read late.
    const registry = new ModelRegistry(harness.pool);
    const lineage = lineageKey((await registry.get(scenario.recallVersion))!);
    const other = scenario.users[4]!;
    const dim = recall().model.tables().get('user')!.dim;
    await new DeltaChannel(redis, { prefix: ns }).publish(lineage, {
      tables: { user: { ids: Int32Array.of(vocabularyId(user), vocabularyId(other)), vectors: new Float32Array(2 * dim).fill(0.5) } },
      dense: {},
    });
    await until(() => rowIs(recall().model, other, 0.5));
    expect(knows(recall().model, user)).toBe(false);
  }, 60_000);
});

/** Whether `userId`'s row in the user table holds `value` throughout. */
function rowIs(model: RecModel, userId: string, value: number): boolean {
  const table = model.tables().get('user')!;
  const row = table.row(vocabularyId(userId), false);
  return row >= 0 && table.vectors().subarray(table.offsetOf(row), table.offsetOf(row) + table.dim).every((x) => x === value);
}
