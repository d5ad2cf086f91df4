import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '@recstream/platform';
import { TOPICS } from '@recstream/schemas';
import { createKafka, ensureTopics } from '@recstream/streams';
import { LocalKafkaBroker } from '@recstream/streams/local-kafka';
import { collectMessages } from '@recstream/streams/inspect';
import { Ingester } from '../src/index.js';

// A broker of the test's own, so stopping it disturbs nobody else's tests.
const dataDir = mkdtempSync(join(tmpdir(), 'recstream-outage-'));
const broker = new LocalKafkaBroker({
  libsDir: resolve(import.meta.dirname, '../../../tools/kafka/target/libs'),
  dataDir,
  port: 21_000 + Math.floor(Math.random() * 8_000) * 2,
  heap: '256m',
  quickStart: true,
});
const logger = createLogger('outage-test', 'silent');
const kafkaOptions = { clientId: 'outage-test', brokers: [broker.address], logger, retries: 2, connectionTimeoutMs: 1_000 };
const kafka = createKafka(kafkaOptions);
const ingester = new Ingester(kafkaOptions, logger, { port: 0, host: '127.0.0.1', produceTimeoutMs: 1_500, retryAfterSeconds: 1 });
let base = '';

async function brokerReady(): Promise<void> {
  for (let attempt = 0; attempt < 120; attempt++) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, Object.values(TOPICS));
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await admin.disconnect();
    }
  }
  throw new Error(`test broker did not start; see ${broker.logFile}`);
}

let sequence = 0;
async function postBatch(size = 50): Promise<{ status: number; ids: string[]; retryAfter: string | null }> {
  const ids = Array.from({ length: size }, () => `outage-${sequence++}`);
  const body = JSON.stringify(ids.map((id) => ({ event_id: id, type: 'click', user_id: `u${sequence % 7}`, item_id: 'i', event_time: 1_772_366_400_000 })));
  const response = await fetch(`${base}/v1/events/batch`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.body?.cancel();
  return { status: response.status, ids, retryAfter: response.headers.get('retry-after') };
}

beforeAll(async () => {
  broker.start();
  await brokerReady();
  base = `http://127.0.0.1:${await ingester.start()}`;
}, 120_000);

afterAll(async () => {
  await ingester.close();
  await broker.stop('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

it('answers 503 with Retry-After while Kafka is down, recovers after, and loses no acknowledged event', async () => {
  const acknowledged: string[] = [];
  const accept = (result: { status: number; ids: string[] }) => result.status === 200 && acknowledged.push(...result.ids);

  for (let i = 0; i < 5; i++) accept(await postBatch());
  expect(acknowledged).toHaveLength(250);

  await broker.stop('SIGKILL');
  const during = [await postBatch(), await postBatch()];
  for (const result of during) {
    expect([503, 429]).toContain(result.status);
    expect(result.retryAfter).toBe('1');
  }

  broker.start();
  let recovered = false;
  for (let attempt = 0; attempt < 60 && !recovered; attempt++) {
    const result = await postBatch();
    recovered = result.status === 200;
    accept(result);
  }
  expect(recovered).toBe(true);
  for (let i = 0; i < 3; i++) accept(await postBatch());

  const expected = new Set(acknowledged);
  const seen = new Set<string>();
  await collectMessages(kafka, TOPICS.events.name, {
    done: (messages) => {
      seen.add(JSON.parse(messages.at(-1)!.value).event_id);
      return seen.size >= expected.size && [...expected].every((id) => seen.has(id));
    },
    timeoutMs: 30_000,
  });
  const lost = [...expected].filter((id) => !seen.has(id));
  expect(lost).toEqual([]);
}, 180_000);
