/**
 * Serving on a 3-master Redis Cluster of its own (Postgres and Kafka are the
 * shared ones): it reads the feature store across the masters, follows the
 * online deltas, and when a master dies (no replicas, so its slots stay down)
 * it answers every request, degraded, while deltas still reach it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deltaStreamKey, DeltaChannel, lineageKey } from '@recstream/deltas';
import { createRedis, type RedisClient } from '@recstream/platform';
import { teardown } from '@recstream/platform/testing';
import { startTestRedisCluster, type TestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { ModelRegistry } from '@recstream/registry';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { createHarness, everything, followingDeltas, namespace, startService, steerToUnseen, until, type Harness, type RunningService } from './harness.js';

let test: TestRedisCluster;
let redis: RedisClient;
let harness: Harness;
let scenario: Scenario;
let running: RunningService;
let channel: DeltaChannel;
let recallLineage: string;
const ns = namespace();

beforeAll(async () => {
  test = await startTestRedisCluster(3);
  const connection = { redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') };
  redis = createRedis(connection, { maxRetriesPerRequest: 1 });
  harness = await createHarness();
  scenario = await seedScenario({ pool: harness.pool, redis }, { namespace: ns });
  running = await startService(harness.database.url, followingDeltas(ns), connection);
  recallLineage = lineageKey((await new ModelRegistry(harness.pool).get(scenario.recallVersion))!);
  channel = new DeltaChannel(redis, { prefix: ns });
}, 150_000);

afterAll(async () => {
  await teardown('serving redis-cluster test', [
    ['service', () => running?.close()],
    ['redis', () => redis?.disconnect()],
    ['harness', () => harness?.close()],
    ['cluster', () => test?.destroy()],
  ]);
});

const ask = (user: string) => everything(running.url, user);

/** The port of the master serving `key`'s slot. */
async function masterOf(key: string): Promise<number> {
  const slot = Number(await redis.cluster('KEYSLOT', key));
  const [, , master] = (await redis.cluster('SLOTS')).find(([from, to]) => slot >= from && slot <= to)!;
  return master![1];
}

it('answers from the cluster, degrades without 5xx when a master dies, and still applies deltas', async () => {
  const user = scenario.users[7]!;
  const healthy = await ask(user);
  expect(healthy.status).toBe(200);
  expect(healthy.body.degraded).toBe(false);

  // A master that holds feature rows but not the delta streams' slot: deltas must keep flowing after it dies.
  const deltaMaster = await masterOf(deltaStreamKey(ns, recallLineage, true));
  const victim = test.cluster.nodes.find((node) => node.port !== deltaMaster)!;
  await victim.stop('SIGKILL');

  for (const someone of scenario.users.slice(0, 20)) {
    const answer = await ask(someone);
    expect(answer.status).toBe(200);
    expect(answer.body.items.length).toBeGreaterThan(0);
  }
  const degraded = await until(async () => {
    const answer = await ask(user);
    return answer.body.degraded ? answer : undefined;
  });
  expect(degraded.body.degraded_reasons).toContain('features_unavailable');

  const { unseen, after } = await steerToUnseen(running.url, channel, scenario, recallLineage, user);
  expect(after.status).toBe(200);
  expect(after.body.items.find((item) => item.item_id === unseen)!.sources).toContain('ann');
}, 120_000);
