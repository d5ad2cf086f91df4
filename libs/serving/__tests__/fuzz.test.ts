/**
 * Fuzzed request bodies against the serving API, from a seeded generator so
 * a failure repeats: random bytes, JSON of the wrong type, mutated requests,
 * hostile ids and bodies past the size limit. Every answer must be a 200 or
 * a 4xx naming the bad field, never a 5xx, and serving must keep answering.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@recstream/platform';
import { hostileValue, INJECTION_STRINGS, mutateEvent, randomBytes, UNSTORABLE_STRINGS } from '@recstream/schemas/hostile-input';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { createHarness, namespace, recommend, REDIS_URL, startService, type Harness, type RunningService } from './harness.js';

const SEED = 4_099;
let harness: Harness;
let scenario: Scenario;
let running: RunningService;
const ns = namespace();
const seedRedis = new Redis(REDIS_URL);

const postRaw = async (body: Buffer | string) => {
  const response = await fetch(`${running.url}/v1/recommendations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: response.status, body: (await response.json()) as { errors?: { field: string; message: string }[]; error?: string; items?: unknown[] } };
};

/** A 400 lists each bad field with a message. */
function expectNamedErrors(body: { errors?: { field: string; message: string }[] }) {
  expect(body.errors?.length).toBeGreaterThan(0);
  for (const error of body.errors!) {
    expect(error.field.length).toBeGreaterThan(0);
    expect(error.message.length).toBeGreaterThan(0);
  }
}

beforeAll(async () => {
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis: seedRedis }, { namespace: ns });
  running = await startService(harness.database.url, { featureNamespace: ns, models: { pollIntervalMs: 60_000, hnsw: {} }, recommender: { featureTimeoutMs: 1_000 } });
}, 120_000);

afterAll(async () => {
  await running?.close();
  seedRedis.disconnect();
  await harness?.close();
});

describe('serving API under fuzzed bodies', () => {
  it('answers every fuzzed body with a 200 or a 400 naming the bad fields', async () => {
    const random = mulberry32(SEED);
    const valid = { user_id: scenario.users[0]!, k: 5, context: { surface: 'home', device: 'mobile' }, filters: { exclude_items: [scenario.items[0]!] } };
    for (let i = 0; i < 80; i++) {
      const kind = Math.floor(random() * 3);
      const body = kind === 0 ? randomBytes(random, Math.floor(random() * 2_000)) : JSON.stringify(kind === 1 ? hostileValue(random) : mutateEvent(random, valid));
      const answer = await postRaw(body);
      expect([200, 400, 413], `case ${i}`).toContain(answer.status);
      if (answer.status === 400) expectNamedErrors(answer.body);
      if (answer.status === 200) expect(answer.body.items!.length).toBeLessThanOrEqual(200);
    }
  });

  it('serves hostile but valid user ids and refuses ones Postgres cannot store', async () => {
    for (const userId of INJECTION_STRINGS) {
      const { status, body } = await recommend(running.url, { user_id: userId, k: 3 });
      expect(status, userId).toBe(200);
      expect(body.items).toHaveLength(3);
    }
    for (const userId of UNSTORABLE_STRINGS) {
      const { status, body } = await recommend(running.url, { user_id: userId, k: 3 });
      expect(status).toBe(400);
      expect(body.errors).toEqual([{ field: 'user_id', message: 'must not contain U+0000 or unpaired UTF-16 surrogates' }]);
    }
  });

  it('answers 413 past the body limit and keeps serving', async () => {
    const huge = await postRaw(JSON.stringify({ user_id: 'u', k: 3, filters: { exclude_items: Array(20_000).fill('item-1') } }));
    expect(huge.status).toBe(413);
    expect(huge.body.error).toMatch(/exceeds 65536 bytes/);
    const { status, body } = await recommend(running.url, { user_id: scenario.users[1]!, k: 4 });
    expect(status).toBe(200);
    expect(body.items).toHaveLength(4);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
  });
});
