/**
 * bench:ingest: sustained events/s through the ingester's batch endpoint
 * (500-event NDJSON batches of generated events) with request latency, and
 * Kafka's own ProducerPerformance on the same broker and record size.
 * Capacity is the events/s of the same requests sent back to back, which is
 * what ProducerPerformance measures for Kafka's own client.
 * `--kafka-nodes N` runs it on a 1-node and an N-node Kafka of its own, one
 * after the other, and records the two side by side; `--clients` runs it
 * with each producer client the ingester can use.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { ApiKeyStore } from '@recstream/auth';
import { z } from 'zod';
import { brokersFrom, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { TOPICS, type TopicNames } from '@recstream/schemas';
import { DEFAULT_PRODUCER_CLIENT, PRODUCER_CLIENTS, type ProducerClient } from '@recstream/streams';
import { startTestCluster } from '@recstream/streams/test-cluster';
import { SyntheticWorld } from '@recstream/synth';
import { benchTopic, ensureBenchTopics } from './bench-topics.js';
import { cpuSeconds } from './cpu.js';
import { recordBenchmark } from './report.js';
import { startApp, stopApp } from '../infra/apps.js';

const PORT = 18_181;
const BATCH = 500;
const BODIES = 120;
const settings = parseEnv(
  'bench:ingest',
  z.object({
    KAFKA_BROKERS: infraEnv.KAFKA_BROKERS,
    DATABASE_URL: infraEnv.DATABASE_URL,
    BENCH_SECONDS: envInt(30),
    BENCH_CONNECTIONS: envInt(8),
    BENCH_RATE: envInt(44),
    BENCH_WORKERS: envInt(2),
    BENCH_CAPACITY_SECONDS: envInt(15),
    PRODUCER_CLIENT: z.enum(PRODUCER_CLIENTS).default(DEFAULT_PRODUCER_CLIENT),
  }),
);
const DURATION_S = settings.BENCH_SECONDS;
const CONNECTIONS = settings.BENCH_CONNECTIONS;
/** Offered load in requests/s (x 500 events); latency is measured at this sustained rate, not at saturation. */
const RATE = settings.BENCH_RATE;
/** Ingester processes: two halve the queue a burst of requests meets on one event loop (see BENCHMARKS.md). */
const WORKERS = settings.BENCH_WORKERS;
const CAPACITY_S = settings.BENCH_CAPACITY_SECONDS;
const { values: flags } = parseArgs({ options: { 'kafka-nodes': { type: 'string' }, clients: { type: 'boolean' } } });
const KAFKA_NODES = flags['kafka-nodes'] === undefined ? undefined : z.coerce.number().int().min(2).parse(flags['kafka-nodes']);
/** Heap of each node the bench starts: the same for every cluster size it compares. */
const KAFKA_HEAP = '384m';

function buildBodies(): { bodies: string[]; meanEventBytes: number } {
  const events = new SyntheticWorld({ users: 2_000, items: 5_000, days: 2, seed: 99 }).interactionEvents();
  const bodies: string[] = [];
  let bytes = 0;
  let count = 0;
  while (bodies.length < BODIES) {
    const lines: string[] = [];
    while (lines.length < BATCH) {
      const line = JSON.stringify(events.next().value);
      bytes += line.length;
      count++;
      lines.push(line);
    }
    bodies.push(lines.join('\n'));
  }
  return { bodies, meanEventBytes: Math.round(bytes / count) };
}

/** A fresh ingest key, so the bench pays for authentication like real callers do. */
async function createIngestKey(): Promise<string> {
  const pool = new pg.Pool({ connectionString: settings.DATABASE_URL, max: 1 });
  try {
    return (await new ApiKeyStore(pool).create('bench:ingest', ['ingest'], 100_000)).key;
  } finally {
    await pool.end();
  }
}

/** Paced at `rate` requests per second, or back to back when it is null. */
async function runLoad(bodies: string[], seconds: number, key: string, rate: number | null = RATE) {
  let next = 0;
  return autocannon({
    url: `http://127.0.0.1:${PORT}`,
    connections: CONNECTIONS,
    ...(rate === null ? {} : { overallRate: rate }),
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/events/batch',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${key}` },
        setupRequest: (request: autocannon.Request) => ({ ...request, body: bodies[next++ % bodies.length] }),
      },
    ],
  });
}

function kafkaProducerPerf(brokers: string[], recordBytes: number): number {
  const records = 1_000_000;
  const output = execFileSync(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${resolve(import.meta.dirname, '../kafka/target/libs')}/*`,
      '-Dlog4j.configuration=file:' + resolve(import.meta.dirname, '../kafka/log4j.properties'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      'bench.producer-perf',
      '--num-records',
      String(records),
      '--record-size',
      String(recordBytes),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${brokers.join(',')}`,
      'acks=all',
    ],
    { encoding: 'utf8' },
  );
  const summary = output.trim().split('\n').at(-1)!;
  const match = /([\d.]+) records\/sec/.exec(summary);
  if (!match) throw new Error(`could not read ProducerPerformance output: ${summary}`);
  return Math.round(Number(match[1]));
}

/** The ingester produces to topics of the bench's own (bench-topics.ts): a run sends about 770,000 events. */
const benchTopicName = (topic: keyof TopicNames) => benchTopic('ingest', TOPICS[topic]).name;
const BENCH_TOPICS = (Object.keys(TOPICS) as (keyof TopicNames)[]).map((topic) => benchTopic('ingest', TOPICS[topic]));

/** The load and the Kafka reference on `brokers`: the figures of one run. */
async function measure(brokers: string[], bodies: string[], meanEventBytes: number, key: string, client: ProducerClient = settings.PRODUCER_CLIENT) {
  await ensureBenchTopics(brokers, [{ name: 'bench.producer-perf', partitions: 6, retentionMs: 3_600_000, description: 'bench' }, ...BENCH_TOPICS]);
  console.log(`starting the ingester on :${PORT} (${WORKERS} worker processes, ${client} producer) against ${brokers.join(',')}`);
  const ingester = await startApp('ingester', PORT, {
    env: {
      KAFKA_BROKERS: brokers.join(','),
      AUTH_MODE: 'api-key',
      WORKERS: String(WORKERS),
      PRODUCER_CLIENT: client,
      EVENTS_TOPIC: benchTopicName('events'),
      ITEMS_TOPIC: benchTopicName('items'),
      USERS_TOPIC: benchTopicName('users'),
      DEAD_LETTER_TOPIC: benchTopicName('deadLetter'),
    },
  });
  try {
    console.log('warming up for 5 s…');
    await runLoad(bodies, 5, key);
    console.log(`measuring for ${DURATION_S} s at ${RATE} requests/s (${RATE * BATCH} events/s offered) over ${CONNECTIONS} connections…`);
    const cpuBefore = cpuSeconds(ingester.pid!);
    const result = await runLoad(bodies, DURATION_S, key);
    const cpuMsPerRequest = ((cpuSeconds(ingester.pid!) - cpuBefore) * 1000) / Math.max(result.requests.total, 1);
    const ok = result['2xx'];
    const eventsPerS = Math.round((ok * BATCH) / DURATION_S);
    console.log(`measuring capacity for ${CAPACITY_S} s, requests back to back over ${CONNECTIONS} connections…`);
    // null, not undefined: undefined would take the paced default.
    const capacity = await runLoad(bodies, CAPACITY_S, key, null);
    const capacityEventsPerS = Math.round((capacity['2xx'] * BATCH) / CAPACITY_S);
    console.log('running Kafka ProducerPerformance (acks=all, same record size)…');
    const kafkaPerf = kafkaProducerPerf(brokers, meanEventBytes);
    return {
      events_per_s: eventsPerS,
      requests_per_s: Math.round(ok / DURATION_S),
      offered_events_per_s: RATE * BATCH,
      p50_ms: result.latency.p50,
      p99_ms: result.latency.p99,
      ingester_cpu_ms_per_request: Number(cpuMsPerRequest.toFixed(2)),
      non_2xx: result.non2xx,
      errors: result.errors,
      mean_event_bytes: meanEventBytes,
      capacity_events_per_s: capacityEventsPerS,
      capacity_non_2xx: capacity.non2xx,
      kafka_perf_events_per_s: kafkaPerf,
      ratio_to_kafka_perf: Number((capacityEventsPerS / kafkaPerf).toFixed(3)),
    };
  } finally {
    await stopApp(ingester);
  }
}

const LOAD_DETAILS = [
  `Load: autocannon at a fixed ${RATE} requests/s (${RATE * BATCH} events/s offered) over ${CONNECTIONS} connections, ${DURATION_S} s after a 5 s warm-up,`,
  `NDJSON batches of ${BATCH} generated events; BENCH_RATE and BENCH_CONNECTIONS change the load. autocannon spends each connection's`,
  "share of the rate back to back at the start of every second, so requests arrive in bursts of up to one per connection, which sets p99.",
  "ingester_cpu_ms_per_request is the ingester processes' CPU time over the measured run divided by the requests.",
  `capacity_events_per_s: the same requests back to back for ${CAPACITY_S} s (BENCH_CAPACITY_SECONDS) after the paced run;`,
  'ratio_to_kafka_perf divides it by ProducerPerformance, which also sends as fast as it can.',
];
const TOPIC_DETAILS = [
  `ingester as its own process (WORKERS=${WORKERS}; BENCH_WORKERS changes it) with API-key authentication, acks from all in-sync replicas, Kafka on the same 2-core machine;`,
  `producer client: ${settings.PRODUCER_CLIENT} unless the variant names another (PRODUCER_CLIENT changes it).`,
  `it produces to bench.ingest.* topics partitioned as the platform's (${TOPICS.events.partitions} for events) with 1 h retention, not to the platform's own.`,
  'Kafka reference: org.apache.kafka.tools.ProducerPerformance, 1,000,000 records of the mean event size, acks=all.',
];
const loadAverage = () => loadavg().map((value) => value.toFixed(2)).join(', ');

/** The bench on a 1-node and a `nodes`-node Kafka of its own, on free ports, one after the other. */
async function compareClusterSizes(nodes: number, bodies: string[], meanEventBytes: number, key: string): Promise<void> {
  const loadBefore = loadAverage();
  const runs: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const size of [1, nodes]) {
    console.log(`starting a ${size}-node Kafka of the bench's own (${KAFKA_HEAP} heap per node)…`);
    const { cluster, destroy } = await startTestCluster({ nodes: size, heap: KAFKA_HEAP, quickStart: false });
    try {
      runs[size] = await measure(cluster.addresses, bodies, meanEventBytes, key);
    } finally {
      await destroy();
    }
  }
  const [one, many] = [runs[1]!, runs[nodes]!];
  const figures: Record<string, number> = {};
  for (const name of ['events_per_s', 'p50_ms', 'p99_ms', 'non_2xx', 'errors', 'ingester_cpu_ms_per_request', 'kafka_perf_events_per_s'] as const) {
    figures[`${name}_1_node`] = one[name];
    figures[`${name}_${nodes}_nodes`] = many[name];
  }
  recordBenchmark({
    area: 'ingest',
    variant: 'kafka-nodes',
    args: ['--kafka-nodes', String(nodes)],
    figures,
    details: [
      `The same bench on a 1-node Kafka and then on a ${nodes}-node Kafka (KRaft, broker and controller per node, ${KAFKA_HEAP} heap each, full JIT),`,
      `both started by the bench on free ports; topics replicated as ensureTopics chooses (1 copy on 1 node; 3 copies, min.insync.replicas 2 on ${nodes}).`,
      `All ${nodes} nodes, the ingester and the load generator share the machine's cores, which other work was also using:`,
      `load average (1, 5, 15 min) ${loadBefore} before and ${loadAverage()} after.`,
      ...LOAD_DETAILS,
      ...TOPIC_DETAILS,
    ],
  });
}

/** The bench once per producer client, one after the other on the same broker, recorded side by side. */
async function compareClients(bodies: string[], meanEventBytes: number, key: string): Promise<void> {
  const loadBefore = loadAverage();
  const figures: Record<string, number> = {};
  for (const client of PRODUCER_CLIENTS) {
    const run = await measure(brokersFrom(settings.KAFKA_BROKERS), bodies, meanEventBytes, key, client);
    for (const [name, value] of Object.entries(run)) figures[`${name}_${client}`] = value;
  }
  recordBenchmark({
    area: 'ingest',
    variant: 'clients',
    args: ['--clients'],
    figures,
    details: [
      `The same bench once per producer client (${PRODUCER_CLIENTS.join(', ')}), one after the other, each with its own ProducerPerformance reference.`,
      `Load average (1, 5, 15 min) ${loadBefore} before and ${loadAverage()} after.`,
      ...LOAD_DETAILS,
      ...TOPIC_DETAILS,
    ],
  });
}

async function main(): Promise<void> {
  console.log('generating request bodies…');
  const { bodies, meanEventBytes } = buildBodies();
  const key = await createIngestKey();
  if (KAFKA_NODES !== undefined) return compareClusterSizes(KAFKA_NODES, bodies, meanEventBytes, key);
  if (flags.clients) return compareClients(bodies, meanEventBytes, key);
  const loadBefore = loadAverage();
  recordBenchmark({
    area: 'ingest',
    figures: await measure(brokersFrom(settings.KAFKA_BROKERS), bodies, meanEventBytes, key),
    details: [
      ...LOAD_DETAILS,
      ...TOPIC_DETAILS,
      `Load average (1, 5, 15 min) ${loadBefore} before the run.`,
    ],
  });
}

main().catch((error: Error) => {
  console.error(`bench:ingest failed: ${error.message}`);
  process.exit(1);
});
