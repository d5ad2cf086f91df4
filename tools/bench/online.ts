/**
 * bench:online: the online updater and serving as their own processes over
 * a seeded world (5,000 items, 1,000 users, MF recall and NeuMF ranking in
 * production). Three measurements: examples/s while the updater works
 * through a backlog on the stream; time from a user's click event (produced
 * to Kafka) to a changed recommendation for that user; and time from a new
 * item's first interactions to its first appearance in a recommendation.
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { Redis } from 'ioredis';
import pg from 'pg';
import { OfflineStore, itemAttributes } from '@recstream/features';
import { createRandom } from '@recstream/models';
import { isHoldoutUser } from '@recstream/online';
import { brokersFrom, createLogger } from '@recstream/platform';
import type { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase } from '@recstream/schemas/test-database';
import { itemId, seedScenario, type Scenario } from '@recstream/serving/testing';
import { createKafka, createProducer } from '@recstream/streams';
import { removeKeys } from './redis-keys.js';
import { percentile, recordBenchmark, round } from './report.js';
import { startApp, stopApp } from '../infra/apps.js';

const SERVING_PORT = 18_091;
const UPDATER_PORT = 18_092;
const ITEMS = 5_000;
const USERS = 1_000;
const CATEGORIES = 20;
const BACKLOG_ACTIONS = 50_000;
const LIST_SIZE = 5;
const PROBES = 40;
const NEW_ITEMS = 5;
const NEW_ITEM_CLICKERS = 25;
const NEW_ITEM_TARGETS = 10;
/** The new item's clicks trickle in this far apart (two seconds for all), as first interactions do, rather than in one burst. */
const NEW_ITEM_CLICK_GAP_MS = 80;
const K = 20;
const POLL_MS = 20;
const PROBE_TIMEOUT_MS = 30_000;
const HOLDOUT_FRACTION = 0.05;
const PARTITIONS = 3;
const REQUEST_TIME = new Date().toISOString();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = `bench-online-${Date.now().toString(36)}`;
const logger = createLogger('bench-online', 'warn');
const kafka = createKafka({ clientId: run, brokers: brokersFrom(process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'), logger });
const producer = createProducer(kafka);
const random = createRandom(31);

interface Response {
  items: { item_id: string; score: number; source: string }[];
  degraded: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(events: InteractionEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1_000) {
    await producer.send({ topic: run, acks: -1, messages: events.slice(i, i + 1_000).map((e) => ({ key: e.user_id, value: JSON.stringify(e) })) });
  }
}

/** An item of the category of one of the user's recent items, low indices more often: how the seeded world drew interactions. */
function tasteItem(liked: readonly string[]): string {
  if (liked.length === 0 || random.next() < 0.15) return itemId(random.int(ITEMS));
  const category = Number(liked[random.int(liked.length)]!.slice('item-'.length)) % CATEGORIES;
  return itemId(Math.min(ITEMS - 1, category + CATEGORIES * Math.floor((ITEMS / CATEGORIES) * random.next() ** 3)));
}

/** Served lists (exposures) with a click on one item in two of three, and lone clicks, on the users' tastes. */
function backlog(scenario: Scenario, actions: number, start: number, spanMs: number): InteractionEvent[] {
  const events: InteractionEvent[] = [];
  for (let n = 0; n < actions; n++) {
    const user = scenario.users[random.int(scenario.users.length)]!;
    const time = start + Math.floor((n / actions) * spanMs);
    const clicked = tasteItem(scenario.sequences.get(user) ?? []);
    const base = { schema_version: 1 as const, user_id: user, context: { surface: 'home', device: 'mobile' as const } };
    if (random.next() < 0.2) {
      events.push({ ...base, event_id: `${run}-c${n}`, event_time: time, type: 'click', item_id: clicked });
      continue;
    }
    const request = `${run}-r${n}`;
    const list = [clicked, ...Array.from({ length: LIST_SIZE - 1 }, () => itemId(random.int(ITEMS)))];
    list.forEach((item, position) =>
      events.push({ ...base, event_id: `${request}:${position}`, event_time: time, type: 'exposure', item_id: item, request_id: request, context: { ...base.context, position } }),
    );
    if (random.next() < 0.67) events.push({ ...base, event_id: `${run}-c${n}`, event_time: time + 500, type: 'click', item_id: clicked, request_id: request });
  }
  return events;
}

function click(user: string, item: string): InteractionEvent {
  return { schema_version: 1, event_id: `${run}-probe-${randomUUID()}`, event_time: Date.now(), type: 'click', user_id: user, item_id: item, context: { surface: 'home', device: 'mobile' } };
}

/**
 * A full answer for `user`: a degraded one (a feature read over its budget
 * on the busy machine) lacks the user's history and would differ for that
 * reason alone, so it is asked again.
 */
async function recommend(user: string): Promise<Response> {
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${SERVING_PORT}/v1/recommendations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A fixed request time: freshness bonuses then stay put, and only the models can change an answer.
      body: JSON.stringify({ user_id: user, k: K, context: { surface: 'home', device: 'mobile', time: REQUEST_TIME } }),
    });
    if (!response.ok) throw new Error(`serving answered ${response.status}: ${await response.text()}`);
    const body = (await response.json()) as Response;
    if (!body.degraded) return body;
    degradedAnswers++;
  }
}
let degradedAnswers = 0;

/**
 * Whether two responses for one user differ in what the models decided: an
 * item ranked (not the randomly drawn exploration slot) with another score,
 * or ranked items in another order.
 */
function changed(before: Response, after: Response): boolean {
  const ranked = (r: Response) => r.items.filter((item) => item.source !== 'exploration');
  const was = new Map(ranked(before).map((item) => [item.item_id, item.score]));
  const common = ranked(after).filter((item) => was.has(item.item_id));
  if (common.some((item) => was.get(item.item_id) !== item.score)) return true;
  const order = ranked(before).map((item) => item.item_id).filter((id) => common.some((item) => item.item_id === id));
  return common.some((item, i) => item.item_id !== order[i]);
}

/** The updater's and serving's own metrics on online updating, for saying why a probe timed out. */
async function diagnostics(): Promise<string> {
  const lines = await Promise.all(
    [UPDATER_PORT, SERVING_PORT].map(async (port) => (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n')),
  );
  return lines.flat().filter((line) => /^(online_updater_(guardrail|holdout|rows|train)|serving_model_delta)/.test(line)).join('\n');
}

async function metric(name: string, labels: string, port = UPDATER_PORT): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').at(-1));
  return sum;
}

/** Waits until serving has applied every row the updater published, and nothing more is being published. */
async function settled(): Promise<void> {
  let last = -1;
  for (;;) {
    const published = await metric('online_updater_rows_published_total', 'role=');
    const applied = await metric('serving_model_delta_rows_total', 'role=', SERVING_PORT);
    if (published === applied && published === last) return;
    last = published;
    await sleep(250);
  }
}

/** Users not in the guardrail's held-back slice (the updater never trains on those). */
const trainable = (scenario: Scenario) => scenario.users.filter((user) => !isHoldoutUser(user, HOLDOUT_FRACTION));

async function measureUserUpdates(scenario: Scenario): Promise<number[]> {
  const latencies: number[] = [];
  const users = trainable(scenario);
  for (let p = 0; p < PROBES; p++) {
    const user = users[(p * 37) % users.length]!;
    const before = await recommend(user);
    // A second answer with no click in between must read as unchanged, or the detector would be measuring noise.
    if (changed(before, await recommend(user))) throw new Error(`recommendations for ${user} change without any event; nothing else may write to the bench's stream`);
    const item = itemId(random.int(ITEMS));
    const sent = performance.now();
    await send([click(user, item)]);
    for (;;) {
      if (performance.now() - sent > PROBE_TIMEOUT_MS) throw new Error(`no change for ${user} within ${PROBE_TIMEOUT_MS} ms of a click\n${await diagnostics()}`);
      if (changed(before, await recommend(user))) break;
      await sleep(POLL_MS);
    }
    latencies.push(performance.now() - sent);
  }
  return latencies;
}

/** Users by the category most of their sequence is in (items are `item-i` in category i mod CATEGORIES). */
function fansByCategory(scenario: Scenario): Map<number, string[]> {
  const fans = new Map<number, string[]>();
  for (const user of trainable(scenario)) {
    const counts = new Map<number, number>();
    for (const item of scenario.sequences.get(user) ?? []) {
      const category = Number(item.slice('item-'.length)) % CATEGORIES;
      counts.set(category, (counts.get(category) ?? 0) + 1);
    }
    const top = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (top) fans.set(top[0], [...(fans.get(top[0]) ?? []), user]);
  }
  return fans;
}

async function measureNewItems(scenario: Scenario, pool: pg.Pool, namespace: string): Promise<number[]> {
  const categories = [...fansByCategory(scenario)].filter(([, users]) => users.length >= NEW_ITEM_CLICKERS + NEW_ITEM_TARGETS).sort((a, b) => b[1].length - a[1].length);
  if (categories.length === 0) throw new Error('no category has enough fans for the new-item probe');
  const offline = new OfflineStore(pool, { namespace });
  const seconds: number[] = [];
  for (let n = 0; n < NEW_ITEMS; n++) {
    const [category, fans] = categories[n % categories.length]!;
    const item = `${run}-new-${n}`;
    // The catalogue entry, as the feature builder writes it from the item's `item` event, exists before anyone interacts with it.
    await offline.writeBatch({
      events: [],
      history: [{ view: itemAttributes.name, entityId: item, eventTime: Date.now(), values: { categories: [`cat-${category}`], tags: [], available: true, created_time: Date.now() } }],
    });
    const clickers = fans.slice(0, NEW_ITEM_CLICKERS);
    const targets = fans.slice(NEW_ITEM_CLICKERS, NEW_ITEM_CLICKERS + NEW_ITEM_TARGETS);
    const sent = performance.now();
    const clicking = (async () => {
      for (const user of clickers) {
        await send([click(user, item)]);
        await sleep(NEW_ITEM_CLICK_GAP_MS);
      }
    })();
    for (let poll = 0; ; poll++) {
      if (performance.now() - sent > PROBE_TIMEOUT_MS) {
        throw new Error(`new item ${item} was not recommended within ${PROBE_TIMEOUT_MS} ms of its first clicks\n${await diagnostics()}`);
      }
      const response = await recommend(targets[poll % targets.length]!);
      if (response.items.some((x) => x.item_id === item && x.source !== 'exploration')) break;
      await sleep(POLL_MS);
    }
    seconds.push((performance.now() - sent) / 1000);
    await clicking;
  }
  return seconds;
}


const database = await createTestDatabase();
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
const redis = new Redis(REDIS_URL);
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic: run, numPartitions: PARTITIONS }] });
await producer.connect();
try {
  console.log(`seeding ${ITEMS} items, ${USERS} users and training the production models…`);
  const scenario = await seedScenario(
    { pool, redis },
    { namespace: run, items: ITEMS, users: USERS, categories: CATEGORIES, interactionsPerUser: 30, loggedInteractions: 10_000, rankingSamples: 10_000, epochs: 2 },
  );
  const events = backlog(scenario, BACKLOG_ACTIONS, Date.now() - 2 * 3_600_000, 2 * 3_600_000 - 60_000);
  await send(events);
  console.log(`${events.length} events on ${run} (${PARTITIONS} partitions); starting serving and the online updater…`);
  const shared = { DATABASE_URL: database.url, ONLINE_DELTA_PREFIX: run, LOG_LEVEL: 'warn' };
  const serving = await startApp('serving', SERVING_PORT, {
    env: { ...shared, FEATURE_NAMESPACE: run, AUTH_MODE: 'none', MODEL_POLL_MS: '600000', POPULARITY_REFRESH_MS: '3600000' },
    readyTimeoutMs: 300_000,
  });
  let updater: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const updaterEnv = {
      ...shared,
      EVENTS_TOPIC: run,
      UPDATER_NAME: run,
      START_FROM: 'earliest',
      HOLDOUT_FRACTION: String(HOLDOUT_FRACTION),
      // No snapshot (and so no reload in serving) during the run.
      SNAPSHOT_INTERVAL_MS: '3600000',
    };
    updater = await startApp('online-updater', UPDATER_PORT, { env: updaterEnv, readyTimeoutMs: 120_000 });
    // Counted from the first reading after readiness: the updater may have begun just before it.
    const started = performance.now();
    const [eventsBefore, examplesBefore] = [await metric('online_updater_events_total', 'outcome="applied"'), await metric('online_updater_examples_total', 'use=')];
    while ((await metric('online_updater_events_total', 'outcome="applied"')) < events.length) await sleep(100);
    const backlogSeconds = (performance.now() - started) / 1000;
    const examples = (await metric('online_updater_examples_total', 'use=')) - examplesBefore;
    const applied = events.length - eventsBefore;
    const steps = await metric('online_updater_train_steps_total', 'role=');
    const rows = await metric('online_updater_rows_published_total', 'role=');
    console.log(`backlog applied in ${round(backlogSeconds, 1)} s (${Math.round(examples / backlogSeconds)} examples/s); probing user updates…`);
    const backlogDone = performance.now();
    await settled();
    const servingBehindSeconds = (performance.now() - backlogDone) / 1000;
    const latencies = await measureUserUpdates(scenario);
    console.log(`user updates: p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms; probing new items…`);
    const newItems = await measureNewItems(scenario, pool, run);
    recordBenchmark({
      area: 'online',
      figures: {
        user_update_p50_ms: Math.round(percentile(latencies, 50)),
        user_update_p99_ms: Math.round(percentile(latencies, 99)),
        new_item_seconds: round(Math.max(...newItems)),
        new_item_median_seconds: round(percentile(newItems, 50)),
        examples_per_s: Math.round(examples / backlogSeconds),
        events_per_s: Math.round(applied / backlogSeconds),
        serving_caught_up_s: round(servingBehindSeconds, 1),
        train_steps: steps,
        rows_published: rows,
        guardrail_tripped: (await metric('online_updater_guardrail_tripped', 'role=')) > 0,
        degraded_answers_retried: degradedAnswers,
        load_average_1m: round(loadavg()[0]!),
      },
      details: [
        `World: ${ITEMS} items in ${CATEGORIES} categories, ${USERS} users; production MF recall (dim 16, HNSW) and NeuMF ranking trained offline on 30 interactions a user.`,
        `Throughput: a backlog of ${events.length} events (${BACKLOG_ACTIONS} actions: lists of ${LIST_SIZE} exposures, two in three clicked, and lone clicks, over two hours of event time)`,
        `on a ${PARTITIONS}-partition topic, applied by one updater process from its start (both models, batches of 256, sampled negatives 4 per positive, 5% of users held out for the guardrail);`,
        'examples/s counts every labelled example built (trained or scored on the holdout); serving_caught_up_s is how long after the updater finished the backlog serving had applied',
        'every row it published (two equal readings 250 ms apart, so up to half a second of it is the check itself).',
        `User updates: ${PROBES} probes on an otherwise quiet stream, one user each: a click (no request_id, so an implicit positive with sampled negatives) produced to Kafka,`,
        `then recommendations polled every ${POLL_MS} ms until a ranked item's score or order differs from the answer before the click (two answers without a click are checked to be equal first).`,
        'A quiet stream is the slow case for batching: the partial batch waits FLUSH_AFTER_MS (250 ms) before its step; publishing runs every 200 ms.',
        `New items: ${NEW_ITEMS} items, each with a catalogue entry written just before ${NEW_ITEM_CLICKERS} fans of one category click it, one every ${NEW_ITEM_CLICK_GAP_MS} ms;`,
        `recommendations for ${NEW_ITEM_TARGETS} other fans polled every ${POLL_MS} ms (k = ${K}) from the first click until the item is ranked into one (exploration slots do not count);`,
        `new_item_seconds is the slowest of the ${NEW_ITEMS}, including serving's catalogue reload (which the unknown item triggers).`,
        'Serving and the updater ran as their own processes; Kafka, Postgres, Redis and this script shared the same 2 cores with other work (load_average_1m at the end).',
      ],
    });
  } finally {
    if (updater) await stopApp(updater);
    await stopApp(serving);
  }
} finally {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [run] }).catch(() => undefined);
  await admin.disconnect();
  await removeKeys(redis, run);
  redis.disconnect();
  await pool.end();
  await database.drop();
}
