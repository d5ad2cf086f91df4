/**
 * Reliability: Redis restarts empty. Serving keeps answering (degraded, with
 * a valid list) while Redis is down and while the online store is empty;
 * the rebuild command's code restores the online store from the Postgres
 * offline store to exactly what it held, and serving is whole again.
 * Redis here is a private redis-server, so stopping it disturbs no other test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OnlineFeatureReader, rebuildFromOffline } from '@recstream/features';
import { unusedPort } from '@recstream/platform/testing';
import { seedScenario, type Scenario } from '../testing/scenario.js';
import { createHarness, logger, namespace, recommend, startService, type Harness, type RunningService } from './harness.js';

let harness: Harness;
let scenario: Scenario;
let running: RunningService;
let redisServer: ChildProcess | undefined;
let port = 0;
const ns = namespace();
const budget = { featureTimeoutMs: 1_000 };

/** Starts an empty, non-persistent redis-server on `port` and waits for it to answer. */
async function startRedis(): Promise<void> {
  redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refusals until the server listens are expected; connect() reports them.
  probe.on('error', () => undefined);
  for (let attempt = 0; ; attempt++) {
    if (await probe.connect().then(() => true, () => false)) break;
    if (attempt > 100) throw new Error(`redis-server did not start on port ${port}; is it installed?`);
    await new Promise((r) => setTimeout(r, 50));
  }
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const server = redisServer;
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGKILL');
  await exited;
}

/** What the online store holds for some users and items, through the online read API. */
async function snapshot(redis: Redis): Promise<unknown> {
  const reader = new OnlineFeatureReader(redis, { namespace: ns });
  return Promise.all(scenario.users.slice(0, 20).map((userId) => reader.read({ userId, itemIds: scenario.items.slice(0, 50) })));
}

const redisUrl = () => `redis://127.0.0.1:${port}`;

beforeAll(async () => {
  port = await unusedPort();
  await startRedis();
  harness = await createHarness();
  const seedRedis = new Redis(redisUrl());
  scenario = await seedScenario({ pool: harness.pool, redis: seedRedis }, { namespace: ns });
  // The online store as the rebuild makes it from the offline store: the state the restart must come back to.
  await rebuildFromOffline({ redis: seedRedis, pool: harness.pool, logger }, { namespace: ns });
  seedRedis.disconnect();
  running = await startService(harness.database.url, { featureNamespace: ns, models: { pollIntervalMs: 60_000, hnsw: {} }, recommender: budget }, redisUrl());
}, 120_000);

afterAll(async () => {
  await running?.close();
  await stopRedis();
  await harness?.close();
});

it('keeps serving through a Redis restart, and the rebuild restores the online store exactly', async () => {
  const user = scenario.users[3]!;
  const ask = () => recommend(running.url, { user_id: user, k: 10, context: { surface: 'home', device: 'mobile' } });
  const client = new Redis(redisUrl());
  const before = await snapshot(client);
  client.disconnect();
  const healthy = await ask();
  expect(healthy.status).toBe(200);
  expect(healthy.body.degraded).toBe(false);

  await stopRedis();
  const down = await ask();
  expect(down.status).toBe(200);
  expect(down.body.degraded).toBe(true);
  expect(down.body.degraded_reasons).toContain('features_unavailable');
  expect(new Set(down.body.items.map((item) => item.item_id)).size).toBe(10);

  await startRedis();
  const restarted = new Redis(redisUrl());
  try {
    expect(await restarted.dbsize()).toBe(0);
    // Empty but reachable: every answer is still a full list.
    const empty = await ask();
    expect(empty.status).toBe(200);
    expect(empty.body.items).toHaveLength(10);

    const report = await rebuildFromOffline({ redis: restarted, pool: harness.pool, logger }, { namespace: ns });
    expect(report.events).toBeGreaterThan(0);
    expect(await snapshot(restarted)).toEqual(before);
  } finally {
    restarted.disconnect();
  }
  // The serving client reconnects by itself.
  let whole = await ask();
  for (let attempt = 0; attempt < 50 && whole.body.degraded; attempt++) {
    await new Promise((r) => setTimeout(r, 100));
    whole = await ask();
  }
  expect(whole.status).toBe(200);
  expect(whole.body.degraded).toBe(false);
}, 120_000);
