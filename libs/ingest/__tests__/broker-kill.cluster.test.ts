import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { createLogger } from '@recstream/platform';
import { TOPICS } from '@recstream/schemas';
import { createKafka, ensureTopics, topicMetadata } from '@recstream/streams';
import { collectMessages } from '@recstream/streams/inspect';
import { partitionLeaders, startTestCluster, type TestCluster } from '@recstream/streams/test-cluster';
import { Ingester } from '../src/index.js';

const CLIENTS = 4;
/** Consecutive acknowledged batches each client must see after the kill for throughput to count as recovered. */
const RECOVERED_RUN = 15;
/** A client that has not recovered after this many requests past the kill fails the test instead of looping. */
const MAX_REQUESTS_AFTER_KILL = 300;

const logger = createLogger('broker-kill-test', 'silent');
let test: TestCluster;
let admin: Admin;
let ingester: Ingester;
let kafka: ReturnType<typeof createKafka>;
let base = '';

beforeAll(async () => {
  test = await startTestCluster({ nodes: 3 });
  const kafkaOptions = { clientId: 'broker-kill-test', brokers: test.cluster.addresses, logger, connectionTimeoutMs: 1_000 };
  kafka = createKafka(kafkaOptions);
  admin = kafka.admin();
  await admin.connect();
  // Named, not read from describeCluster: a node's metadata can lag the third broker's registration, and the topic then got one copy.
  await ensureTopics(admin, Object.values(TOPICS), { replicationFactor: 3, minInsyncReplicas: 2 });
  ingester = new Ingester(kafkaOptions, logger, { port: 0, host: '127.0.0.1', produceTimeoutMs: 3_000, retryAfterSeconds: 1 });
  base = `http://127.0.0.1:${await ingester.start()}`;
});

afterAll(async () => {
  await ingester?.close();
  await admin?.disconnect();
  await test?.destroy();
});

let sequence = 0;
interface Outcome {
  status: number;
  ids: string[];
  retryAfter: string | null;
  afterKill: boolean;
}

async function postBatch(afterKill: boolean, size = 50): Promise<Outcome> {
  const ids = Array.from({ length: size }, () => `kill-${sequence++}`);
  const body = JSON.stringify(ids.map((id, i) => ({ event_id: id, type: 'click', user_id: `u${(sequence + i) % 97}`, item_id: 'i', event_time: 1_772_366_400_000 })));
  const response = await fetch(`${base}/v1/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.body?.cancel();
  return { status: response.status, ids, retryAfter: response.headers.get('retry-after'), afterKill };
}

/** The length of the run of acknowledged batches that ends a client's outcomes. */
function trailingAcks(outcomes: Outcome[]): number {
  let run = 0;
  while (run < outcomes.length && outcomes[outcomes.length - 1 - run]!.status === 200) run++;
  return run;
}

it('loses no acknowledged event, answers at most a brief run of 503s and recovers when a broker is killed under load', async () => {
  const topic = TOPICS.events.name;
  const replicas = (await topicMetadata(admin, [topic]))[0]!.partitions.map((p) => p.replicas.length);
  expect(new Set(replicas)).toEqual(new Set([3]));

  const victim = [...(await partitionLeaders(admin, topic)).values()][0]!;
  let killed = false;
  const perClient: Outcome[][] = Array.from({ length: CLIENTS }, () => []);
  const client = async (outcomes: Outcome[]) => {
    for (;;) {
      const afterKill = killed;
      outcomes.push(await postBatch(afterKill));
      const sinceKill = outcomes.filter((o) => o.afterKill);
      if (killed && (trailingAcks(sinceKill) >= RECOVERED_RUN || sinceKill.length >= MAX_REQUESTS_AFTER_KILL)) return;
    }
  };
  const load = perClient.map(client);
  while (perClient.flat().filter((o) => o.status === 200).length < 40) await new Promise((r) => setTimeout(r, 20));
  await test.cluster.broker(victim).stop('SIGKILL');
  killed = true;
  await Promise.all(load);

  const leaders = await partitionLeaders(admin, topic);
  expect([...leaders.values()]).not.toContain(victim);
  for (const outcomes of perClient) {
    const sinceKill = outcomes.filter((o) => o.afterKill);
    expect(sinceKill.length).toBeGreaterThan(0);
    // Brief: the failures after the kill form one run, followed by nothing but acknowledgements.
    expect(trailingAcks(sinceKill)).toBeGreaterThanOrEqual(RECOVERED_RUN);
    const firstAck = sinceKill.findIndex((o) => o.status === 200);
    expect(sinceKill.slice(firstAck).every((o) => o.status === 200)).toBe(true);
    for (const failed of outcomes.filter((o) => o.status !== 200)) {
      expect(failed.status).toBe(503);
      expect(failed.retryAfter).toBe('1');
    }
  }

  const acknowledged = new Set(perClient.flat().flatMap((o) => (o.status === 200 ? o.ids : [])));
  const seen = new Set<string>();
  await collectMessages(kafka, topic, {
    done: (messages) => {
      seen.add(JSON.parse(messages.at(-1)!.value).event_id);
      return seen.size >= acknowledged.size && [...acknowledged].every((id) => seen.has(id));
    },
    timeoutMs: 60_000,
  });
  expect([...acknowledged].filter((id) => !seen.has(id))).toEqual([]);
});
