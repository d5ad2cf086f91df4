/**
 * `npm run bench:backfill`: the batch path for history on a generated,
 * time-shuffled MovieLens-format file, into a throwaway database, Redis
 * namespace and dead-letter topic: events per second into the event log and
 * feature history (the target is 50,000), and the whole command's time,
 * validation and the online-store rebuild included.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { z } from 'zod';
import { brokersFrom, createLogger, infraEnv, parseEnv } from '@recstream/platform';
import { migrateDatabase } from '@recstream/schemas/migrate';
import { createKafka, createProducer } from '@recstream/streams';
import { OnlineFeatureWriter, backfill, kafkaDeadLetterSink } from '@recstream/features';
import { movieLensRecords, writeMovieLensFile } from '@recstream/synth';

import { endPool } from './bench-database.js';
import { postgresCpuSeconds } from './cpu.js';
import { recordBenchmark, round } from './report.js';

const env = parseEnv(
  'bench:backfill',
  z.object({
    ...infraEnv,
    BENCH_RATINGS: z.coerce.number().int().positive().default(500_000),
    BENCH_USERS: z.coerce.number().int().positive().default(3_000),
    BENCH_ITEMS: z.coerce.number().int().positive().default(10_000),
  }),
);
const id = randomUUID().slice(0, 8);
const logger = createLogger('bench-backfill', 'warn');
const namespace = `bench-backfill-${id}`;
const deadLetterTopic = `bench-backfill-${id}-dlq`;
const database = `recstream_bench_backfill_${id}`;
const serverUrl = new URL(env.DATABASE_URL);
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const adminUrl = Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString();
const say = (line: string) => console.log(`[bench:backfill] ${line}`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-backfill-'));
  const file = join(dir, 'u.data');
  say(`writing ${env.BENCH_RATINGS.toLocaleString('en')} ratings (time-shuffled) to ${file}`);
  const written = writeMovieLensFile(file, { ratings: env.BENCH_RATINGS, users: env.BENCH_USERS, items: env.BENCH_ITEMS, from: Date.UTC(1996, 2, 1), to: Date.UTC(2018, 8, 1), seed: 7 });

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await migrateDatabase({ databaseUrl });
  // Idle backends stay, so /proc still holds the CPU time of every one at the end.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, idleTimeoutMillis: 0 });
  pool.on('error', (error) => say(`Postgres connection closed: ${error.message}`));
  const redis = new Redis(env.REDIS_URL);
  const kafka = createKafka({ clientId: 'bench-backfill', brokers: brokersFrom(env.KAFKA_BROKERS), logger });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await kafkaAdmin.createTopics({ waitForLeaders: true, topics: [{ topic: deadLetterTopic, numPartitions: 1 }] });
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    const cpu = process.cpuUsage();
    // CPU of both sides over the load step alone (from its start to the rebuild's).
    const loadCpu: { node?: NodeJS.CpuUsage; postgres?: number; nodeS?: number; postgresS?: number } = {};
    const onStep = (step: string, done: number) => {
      if (step === 'load' && done === 0) Object.assign(loadCpu, { node: process.cpuUsage(), postgres: postgresCpuSeconds(database) });
      if (step === 'rebuild' && done === 0 && loadCpu.node) {
        const used = process.cpuUsage(loadCpu.node);
        const postgres = postgresCpuSeconds(database);
        Object.assign(loadCpu, { nodeS: (used.user + used.system) / 1e6, postgresS: postgres === undefined ? undefined : postgres - (loadCpu.postgres ?? 0) });
      }
    };
    const report = await backfill(
      {
        pool,
        redis,
        logger,
        sendDeadLetters: kafkaDeadLetterSink(producer, deadLetterTopic),
        onProgress: ({ step, done, total, elapsedMs }) => {
          onStep(step, done);
          say(`${step} ${done.toLocaleString('en')}${total ? `/${total.toLocaleString('en')}` : ''} at ${(elapsedMs / 1000).toFixed(1)} s`);
        },
      },
      movieLensRecords(file),
      { namespace },
    );
    const { user, system } = process.cpuUsage(cpu);
    const postgresCpu = postgresCpuSeconds(database);
    const { rows } = await pool.query<{ in_default: number; history: number }>(
      `SELECT (SELECT count(*)::int FROM event_log_default) + (SELECT count(*)::int FROM feature_history_default) AS in_default,
              (SELECT count(*)::int FROM feature_history) AS history`,
    );
    const history = Object.values(report.feature_history).reduce((sum, n) => sum + n, 0);
    recordBenchmark({
      area: 'backfill',
      figures: {
        events: report.events,
        rejected: report.rejected,
        feature_history_rows: history,
        rows_in_default_partitions: rows[0]!.in_default,
        event_log_and_history_events_per_s: report.events_per_second,
        event_log_and_history_s: report.load_seconds,
        event_log_and_history_node_cpu_s: round(loadCpu.nodeS ?? 0),
        event_log_and_history_postgres_cpu_s: loadCpu.postgresS === undefined ? 'not visible' : round(loadCpu.postgresS),
        whole_command_s: report.seconds,
        whole_command_events_per_s: Math.round(report.events / report.seconds),
        whole_command_node_cpu_s: round((user + system) / 1e6),
        whole_command_postgres_cpu_s: postgresCpu === undefined ? 'not visible' : round(postgresCpu),
        online_entities_rebuilt: report.online.entities ?? 0,
        target_met: report.events_per_second >= 50_000,
      },
      structured: { feature_history: report.feature_history, range: report.range, partitions: report.partitions },
      details: [
        `The input is ${written.toLocaleString('en')} generated ratings of ${env.BENCH_USERS.toLocaleString('en')} users on ${env.BENCH_ITEMS.toLocaleString('en')} items, 1996-2018, lines shuffled.`,
        '`event_log_and_history` is the COPY of the event log and the fold and COPY of feature history (both at once, on two connections);',
        '`whole_command` adds reading and validating the file, the partitions, and the rebuild of the online store from the offline store;',
        'its CPU seconds are those of this Node process and of the Postgres backends of the bench database (from /proc), which on a shared machine say more than wall time.',
        `History rows per view: ${Object.entries(report.feature_history).map(([view, n]) => `${view} ${n.toLocaleString('en')}`).join(', ')}; the database had ${round(rows[0]!.history)} in all.`,
      ],
    });
  } finally {
    await producer.disconnect();
    await kafkaAdmin.deleteTopics({ topics: [deadLetterTopic] }).catch((error: Error) => say(`could not delete ${deadLetterTopic}: ${error.message}`));
    await kafkaAdmin.disconnect();
    await new OnlineFeatureWriter(redis, { namespace }).clear();
    redis.disconnect();
    await endPool(pool);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(`bench:backfill failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
