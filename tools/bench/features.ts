/**
 * `npm run bench:features`: the nearline feature builder end to end, Kafka to
 * Redis and Postgres, in a throwaway database and uniquely named topics.
 *   1. sustained throughput: a backlog of interactions consumed as fast as it goes;
 *   2. freshness at a fixed rate: event time to visible in Redis, p50/p99;
 *   (1 and 2 with the CPU per event of the builder, Postgres and Redis)
 *   3. the online read: 1 user + 200 items, p50/p99.
 * With `--redis-cluster`, instead of 2: the online read on a local 3-master
 * Redis Cluster holding the same rows, in turns with the single Redis (its
 * own section of BENCHMARKS.md).
 */
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { brokersFrom, createLogger, infraEnv, parseEnv } from '@recstream/platform';
import { migrateDatabase } from '@recstream/schemas/migrate';
import type { ItemEvent } from '@recstream/schemas';
import { createKafka, createProducer } from '@recstream/streams';
import { FEATURE_BUILDER_NODE_OPTIONS, FeatureBuilder, OnlineFeatureReader, OnlineFeatureWriter, endOffsets, waitForGroupCatchUp, type AppliedBatch } from '@recstream/features';
import { z } from 'zod';
import { endPool } from './bench-database.js';
import { postgresCpuSeconds, redisCpuSeconds } from './cpu.js';
import { pairedReadLatencies, readLatencies } from './features-cluster.js';
import { ITEMS, USERS, interactions, message } from './features-data.js';
import type { ProducerJob } from './features-producer.js';
import { percentile, recordBenchmark, round } from './report.js';

const env = parseEnv(
  'bench:features',
  z.object({
    ...infraEnv,
    BENCH_BACKLOG_EVENTS: z.coerce.number().int().positive().default(200_000),
    BENCH_RATE: z.coerce.number().int().positive().default(2_000),
    BENCH_RATE_SECONDS: z.coerce.number().int().positive().default(30),
    BENCH_READS: z.coerce.number().int().positive().default(5_000),
  }),
);
const PARTITIONS = 6;
const id = randomUUID().slice(0, 8);
const logger = createLogger('bench-features', 'warn');
const kafka = createKafka({ clientId: 'bench-features', brokers: brokersFrom(env.KAFKA_BROKERS), logger });
const topics = { events: `bench-features-${id}-events`, items: `bench-features-${id}-items`, users: `bench-features-${id}-users`, deadLetter: `bench-features-${id}-dlq` };
const namespace = `bench-${id}`;
const database = `recstream_bench_features_${id}`;
const serverUrl = new URL(env.DATABASE_URL);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const adminUrl = Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString();
const say = (line: string) => console.log(`[bench:features] ${line}`);
const REDIS_CLUSTER = process.argv.includes('--redis-cluster');

const interaction = interactions(id);

/** Runs the fixed-rate producer in its own process, loading TypeScript and the workspace sources as this one does. */
async function runProducer(job: ProducerJob): Promise<{ sent: number; rate: number }> {
  const script = new URL('./features-producer.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=@recstream/source', script, JSON.stringify(job)]);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { sent: number; rate: number };
}


/** CPU seconds so far of this process (the builder), the bench database's Postgres backends and the Redis server. */
async function cpuNow(redis: Redis): Promise<CpuSplit> {
  const { user, system } = process.cpuUsage();
  return { builder: (user + system) / 1e6, postgres: postgresCpuSeconds(database) ?? 0, redis: await redisCpuSeconds(redis) };
}

interface CpuSplit {
  builder: number;
  postgres: number;
  redis: number;
}

/** Milliseconds of CPU per event between two readings, per process. */
function cpuMsPerEvent(before: CpuSplit, after: CpuSplit, events: number): CpuSplit {
  const per = (key: keyof CpuSplit) => round(((after[key] - before[key]) * 1000) / Math.max(events, 1), 3);
  return { builder: per('builder'), postgres: per('postgres'), redis: per('redis') };
}

const describeCpu = (cpu: CpuSplit) => `builder ${cpu.builder}, Postgres ${cpu.postgres}, Redis ${cpu.redis} ms CPU per event`;

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' / ');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await migrateDatabase({ databaseUrl });
  // Connections never idle out: /proc counts a backend's CPU only while it lives.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 6, idleTimeoutMillis: 0 });
  // DROP DATABASE ... WITH (FORCE) at the end ends any connection still open; say so rather than crash.
  pool.on('error', (error) => say(`Postgres connection closed: ${error.message}`));
  const redis = new Redis(env.REDIS_URL);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic: topics.events, numPartitions: PARTITIONS },
      { topic: topics.items, numPartitions: 2 },
      { topic: topics.users, numPartitions: 1 },
      { topic: topics.deadLetter, numPartitions: 1 },
    ],
  });
  const producer = createProducer(kafka);
  await producer.connect();
  let builder: FeatureBuilder | undefined;
  try {
    const catalog = Array.from({ length: ITEMS }, (_, i): ItemEvent => ({
      schema_version: 1, event_id: `${id}-item-${i}`, type: 'item', item_id: `i${i}`, event_time: Date.now() - 86_400_000,
      categories: [`c${i % 40}`], tags: [], available: true,
    }));
    await producer.send({ topic: topics.items, acks: -1, messages: catalog.map((item) => ({ key: item.item_id, value: JSON.stringify(item) })) });

    say(`producing a backlog of ${env.BENCH_BACKLOG_EVENTS} interactions`);
    const start = Date.now() - 3_600_000;
    for (let i = 0; i < env.BENCH_BACKLOG_EVENTS; i += 5_000) {
      const n = Math.min(5_000, env.BENCH_BACKLOG_EVENTS - i);
      const events = Array.from({ length: n }, (_, k) => interaction(start + Math.floor(((i + k) / env.BENCH_BACKLOG_EVENTS) * 3_500_000)));
      await producer.send({ topic: topics.events, acks: -1, messages: events.map(message) });
    }

    const applied: { at: number; count: number }[] = [];
    const freshness: number[] = [];
    let measuringFreshness = false;
    const onApplied = (batch: AppliedBatch) => {
      applied.push({ at: performance.now(), count: batch.applied });
      if (measuringFreshness) for (const time of batch.eventTimes) freshness.push(batch.visibleAt - time);
    };
    const groupId = `bench-features-${id}`;
    builder = new FeatureBuilder({ kafka, redis, pool, logger, onApplied }, { groupId, namespace, topics, port: 0 });
    const cpuAtStart = await cpuNow(redis);
    const began = performance.now();
    await builder.start();
    await waitForGroupCatchUp(kafkaAdmin, groupId, await endOffsets(kafkaAdmin, [topics.events, topics.items]), { pollMs: 50 });
    const wallS = (performance.now() - began) / 1000;
    const total = applied.reduce((sum, a) => sum + a.count, 0);
    const firstAt = applied[0]!.at;
    const sustainedS = (applied.at(-1)!.at - firstAt) / 1000;
    const eventsPerS = (total - applied[0]!.count) / sustainedS;
    const batches = applied.length;
    const backlogCpu = cpuMsPerEvent(cpuAtStart, await cpuNow(redis), total);
    say(`backlog: ${total} events in ${wallS.toFixed(1)} s wall (join included), ${eventsPerS.toFixed(0)} events/s sustained over ${batches} batches; ${describeCpu(backlogCpu)}`);

    let achievedRate = 0;
    let rateCpu: CpuSplit | undefined;
    if (!REDIS_CLUSTER) {
      const cpuAtRate = await cpuNow(redis);
      const appliedBefore = applied.length;
      say(`fixed rate: ${env.BENCH_RATE} events/s for ${env.BENCH_RATE_SECONDS} s`);
      measuringFreshness = true;
      const job: ProducerJob = { brokers: brokersFrom(env.KAFKA_BROKERS), topic: topics.events, prefix: `${id}-rate`, rate: env.BENCH_RATE, seconds: env.BENCH_RATE_SECONDS };
      achievedRate = (await runProducer(job)).rate;
      await waitForGroupCatchUp(kafkaAdmin, groupId, await endOffsets(kafkaAdmin, [topics.events]), { pollMs: 50 });
      rateCpu = cpuMsPerEvent(cpuAtRate, await cpuNow(redis), applied.slice(appliedBefore).reduce((sum, a) => sum + a.count, 0));
      say(`freshness over ${freshness.length} events: p50 ${percentile(freshness, 50)} ms, p99 ${percentile(freshness, 99)} ms; ${describeCpu(rateCpu)}`);
    }
    await builder.close();
    builder = undefined;

    const itemIds = Array.from({ length: 200 }, (_, i) => `i${i * 7}`);
    if (REDIS_CLUSTER) {
      const { single: latencies, cluster: clustered } = await pairedReadLatencies(redis, namespace, USERS, itemIds, env.BENCH_READS);
      const [p99, clusterP99] = [percentile(latencies, 99), percentile(clustered, 99)];
      say(`online read 1 user + 200 items, in turns: single Redis p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
      say(`the same on a 3-master Redis Cluster: p50 ${percentile(clustered, 50).toFixed(2)} ms, p99 ${clusterP99.toFixed(2)} ms`);
      recordBenchmark({
        area: 'features',
        variant: 'redis-cluster',
        args: ['--redis-cluster'],
        figures: {
          online_read_200_items_p50_ms: round(percentile(latencies, 50), 2),
          online_read_200_items_p99_ms: round(p99, 2),
          cluster_online_read_200_items_p50_ms: round(percentile(clustered, 50), 2),
          cluster_online_read_200_items_p99_ms: round(clusterP99, 2),
          cluster_p99_over_single: round(clusterP99 / p99, 2),
        },
        details: [
          `The rows of a backlog of ${total} interactions (${USERS} users, ${ITEMS} items), copied into a local 3-master Redis Cluster (one redis-server per master, same machine), read ${env.BENCH_READS} times in sequence (1 user + 200 items each, after 500 unmeasured) from each, the single Redis and the cluster taking turns: from the single Redis with one MGET, from the cluster with one script per node (lua/read-rows.lua), the nodes in parallel.`,
          'Kafka, Postgres, the single Redis and the cluster run on the same machine as the reader.',
        ],
      });
      return;
    }
    const [latencies = []] = await readLatencies([new OnlineFeatureReader(redis, { namespace })], USERS, itemIds, env.BENCH_READS);
    say(`online read 1 user + 200 items: p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`);

    const { rows } = await pool.query<{ events: string; history: string }>(
      'SELECT (SELECT count(*) FROM event_log) AS events, (SELECT count(*) FROM feature_history) AS history',
    );
    recordBenchmark({
      area: 'features',
      figures: {
        events_per_s: Math.round(eventsPerS),
        backlog_events: total,
        backlog_wall_s: round(wallS),
        fixed_rate_events_per_s: Math.round(achievedRate),
        freshness_p50_ms: percentile(freshness, 50),
        freshness_p99_ms: percentile(freshness, 99),
        online_read_200_items_p50_ms: round(percentile(latencies, 50), 2),
        online_read_200_items_p99_ms: round(percentile(latencies, 99), 2),
        backlog_builder_cpu_ms_per_event: backlogCpu.builder,
        backlog_postgres_cpu_ms_per_event: backlogCpu.postgres,
        backlog_redis_cpu_ms_per_event: backlogCpu.redis,
        fixed_rate_builder_cpu_ms_per_event: rateCpu!.builder,
        fixed_rate_postgres_cpu_ms_per_event: rateCpu!.postgres,
        fixed_rate_redis_cpu_ms_per_event: rateCpu!.redis,
      },
      details: [
        `Backlog of ${env.BENCH_BACKLOG_EVENTS} interactions (${USERS} users, ${ITEMS} items with power-law popularity, ${PARTITIONS} partitions) consumed by one feature builder in this process; sustained rate measured from the first to the last applied chunk.`,
        `Fixed rate: ${env.BENCH_RATE} events/s for ${env.BENCH_RATE_SECONDS} s produced by a separate process; freshness is from event time to the Redis write acknowledging the chunk.`,
        `The builder ran with NODE_OPTIONS=${FEATURE_BUILDER_NODE_OPTIONS} as deployed.`,
        'CPU per event: this process (the builder) from process.cpuUsage, the bench database\'s Postgres backends from /proc, the Redis server from INFO cpu (the whole server: other clients of a shared Redis count too).',
        `Online read: ${env.BENCH_READS} sequential reads of 1 user + 200 items (one Redis MGET of the entities' feature rows). Postgres after the run: ${rows[0]!.events} event_log rows, ${rows[0]!.history} feature_history rows.`,
        `Kafka, Postgres and Redis run on the same machine as the builder and the producer: load average ${loadAtStart} at the start, ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (1/5/15 min).`,
      ],
    });
  } finally {
    await builder?.close();
    await producer.disconnect();
    await new OnlineFeatureWriter(redis, { namespace }).clear();
    await kafkaAdmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await kafkaAdmin.disconnect();
    await redis.quit();
    await endPool(pool);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/** The builder runs in this process: without its deployed Node options, run this bench again with them. */
function rerunWithBuilderNodeOptions(): boolean {
  const nodeOptions = process.env.NODE_OPTIONS ?? '';
  if (nodeOptions.includes(FEATURE_BUILDER_NODE_OPTIONS)) return false;
  const env = { ...process.env, NODE_OPTIONS: [nodeOptions, FEATURE_BUILDER_NODE_OPTIONS].filter(Boolean).join(' ') };
  process.exitCode = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env }).status ?? 1;
  return true;
}

if (!rerunWithBuilderNodeOptions()) {
  main().catch((error: Error) => {
    console.error(`[bench:features] ${error.stack ?? error.message}`);
    process.exit(1);
  });
}
