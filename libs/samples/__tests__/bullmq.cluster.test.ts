/**
 * BullMQ on a 3-master Redis Cluster of its own: with the prefix the apps
 * pick on a cluster (a hash tag), a job goes round trip, and so does a flow
 * whose parent and child sit in two queues, as the samples -> train chain.
 */
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRedis, type RedisClient } from '@recstream/platform';
import { teardown } from '@recstream/platform/testing';
import { startTestRedisCluster, type TestRedisCluster } from '@recstream/platform/test-redis-cluster';
import { queuePrefix } from '@recstream/schemas';

const prefix = queuePrefix(undefined, true);
let test: TestRedisCluster;
let connection: RedisClient;
const closing: { close(): Promise<unknown> }[] = [];

beforeAll(async () => {
  test = await startTestRedisCluster(3);
  // BullMQ's blocking reads wait for a reconnect rather than fail.
  connection = createRedis({ redisUrl: '', redisClusterNodes: test.cluster.addresses.join(',') }, { maxRetriesPerRequest: null });
});

afterAll(async () => {
  await teardown('bullmq redis-cluster test', [
    ['queues', () => Promise.all(closing.map((c) => c.close()))],
    ['redis', () => connection?.quit()],
    ['cluster', () => test?.destroy()],
  ]);
});

/** A worker on `name` that doubles `n`; closed after the file. */
function doubler(name: string): Worker {
  const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection, prefix });
  closing.push(worker);
  return worker;
}

it('runs a job and returns its result on a cluster', async () => {
  const queue = new Queue('cluster-jobs', { connection, prefix });
  // Events from the stream's start: a job may finish before the events' blocking read is first sent.
  const events = new QueueEvents('cluster-jobs', { connection, prefix, lastEventId: '0-0' });
  closing.push(queue, events);
  doubler('cluster-jobs');
  await events.waitUntilReady();
  const job = await queue.add('double', { n: 21 });
  expect(await job.waitUntilFinished(events, 30_000)).toEqual({ doubled: 42 });
});

it('runs a flow across two queues, the parent after its child', async () => {
  const flows = new FlowProducer({ connection, prefix });
  const events = new QueueEvents('cluster-parents', { connection, prefix, lastEventId: '0-0' });
  closing.push(flows, events);
  doubler('cluster-children');
  const parent = new Worker('cluster-parents', async (job) => Object.values(await job.getChildrenValues()), { connection, prefix });
  closing.push(parent);
  await events.waitUntilReady();
  const flow = await flows.add({ name: 'sum', queueName: 'cluster-parents', children: [{ name: 'double', queueName: 'cluster-children', data: { n: 5 } }] });
  expect(await flow.job.waitUntilFinished(events, 30_000)).toEqual([{ doubled: 10 }]);
});
