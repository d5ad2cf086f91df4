/**
 * bench:loop: the whole loop under load for a few minutes. The ingester, the
 * feature builder and serving run as their own processes on a freshly
 * trained demo world; simulated users ask serving for lists at a fixed rate
 * and their clicks go back through the ingester, while the apps' resident
 * memory is sampled. Reports throughput, latency, errors and how much each
 * app's memory grew after warm-up.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { z } from 'zod';
import { ApiKeyStore } from '@recstream/auth';
import { IngestClient } from '@recstream/ingest';
import { brokersFrom, createLogger, parseEnv } from '@recstream/platform';
import { createTestDatabase } from '@recstream/schemas/test-database';
import { createKafka } from '@recstream/streams';
import { Random, SimulatedAudience, type SimulatedClick } from '@recstream/synth';
import { buildSamples, clickEvent, featuresCaughtUp, ingestWorld, recommend, trainAndPromote, worldEndingToday, type Clients, type Endpoint } from '../demo/pipeline.js';
import { startApp, stopApp } from '../infra/apps.js';
import { infraSettings } from '../infra/settings.js';
import { percentile, recordBenchmark, round } from './report.js';

const env = parseEnv(
  'bench:loop',
  z.object({
    BENCH_MINUTES: z.coerce.number().positive().default(3),
    /** Recommendation requests per second; each list's clicks are ingested as they happen. */
    BENCH_RPS: z.coerce.number().int().positive().default(40),
    /** Memory is compared from the end of this warm-up on. */
    BENCH_WARMUP_S: z.coerce.number().int().min(0).default(30),
  }),
  process.env,
);
const PORTS = { ingester: 18_180, serving: 18_181, featureBuilder: 18_182 };
const SAMPLE_EVERY_MS = 5_000;
const say = (line: string) => console.error(`[bench:loop] ${line}`);

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/\d+/)?.[0] ?? Number.NaN) / 1024;
}

async function main(): Promise<void> {
  const settings = infraSettings();
  const database = await createTestDatabase(settings.DATABASE_URL);
  const id = Date.now().toString(36);
  const logger = createLogger('bench-loop', 'warn');
  const clients: Clients = {
    kafka: createKafka({ clientId: 'bench-loop', brokers: brokersFrom(settings.KAFKA_BROKERS), logger }),
    pool: new pg.Pool({ connectionString: database.url, max: 4 }),
    logger,
  };
  const apps: Record<string, Awaited<ReturnType<typeof startApp>>> = {};
  try {
    const { key } = await new ApiKeyStore(clients.pool).create('bench-loop', ['ingest', 'serve'], 100_000);
    const groupId = `bench-loop-${id}`;
    const appEnv = {
      KAFKA_BROKERS: settings.KAFKA_BROKERS,
      REDIS_URL: settings.REDIS_URL,
      DATABASE_URL: database.url,
      FEATURE_NAMESPACE: `bench-loop-${id}`,
      GROUP_ID: groupId,
    };
    const ingester: Endpoint = { url: `http://127.0.0.1:${PORTS.ingester}`, apiKey: key };
    const serving: Endpoint = { url: `http://127.0.0.1:${PORTS.serving}`, apiKey: key };

    const world = worldEndingToday({ users: 2_000, items: 3_000, days: 3, seed: 11 });
    say(`seeding: ${world.users.length} users, ${world.items.length} items, ${world.options.days} days; the feature builder first reads what the events topic already holds`);
    apps['feature-builder'] = await startApp('feature-builder', PORTS.featureBuilder, { env: appEnv });
    apps.ingester = await startApp('ingester', PORTS.ingester, { env: appEnv });
    await ingestWorld(ingester, world, []);
    await featuresCaughtUp(clients, groupId);
    const manifest = await buildSamples(clients, world);
    await trainAndPromote(clients, manifest.datasetVersion, 'mf', 'recall', 4);
    await trainAndPromote(clients, manifest.datasetVersion, 'deepfm', 'ranking', 2);
    apps.serving = await startApp('serving', PORTS.serving, { env: appEnv, readyTimeoutMs: 120_000 });

    const seconds = env.BENCH_MINUTES * 60;
    say(`load: ${env.BENCH_RPS} lists/s for ${seconds} s, clicks ingested as they happen; memory sampled every ${SAMPLE_EVERY_MS / 1000} s`);
    const audience = new SimulatedAudience(world, 3);
    const random = new Random(5);
    const ingestClient = new IngestClient(ingester);
    const serveMs: number[] = [];
    const ingestMs: number[] = [];
    let errors = 0;
    let degraded = 0;
    let clicks = 0;
    const rss = new Map<string, { at: number; mb: number }[]>(Object.keys(apps).map((name) => [name, []]));
    const started = performance.now();
    const sampler = setInterval(() => {
      for (const [name, child] of Object.entries(apps)) rss.get(name)!.push({ at: (performance.now() - started) / 1000, mb: rssMb(child.pid!) });
    }, SAMPLE_EVERY_MS);

    const oneList = async () => {
      const user = world.users[random.int(world.users.length)]!;
      try {
        const t = performance.now();
        const response = await recommend(serving, user.id, 10, { surface: random.pick(['home', 'detail']), device: user.device });
        serveMs.push(performance.now() - t);
        if (response.degraded) degraded++;
        const listClicks: SimulatedClick[] = audience.react({ requestId: response.request_id, userId: user.id, itemIds: response.items.map((i) => i.item_id), device: user.device, time: Date.now() });
        if (listClicks.length === 0) return;
        const s = performance.now();
        await ingestClient.send(listClicks.map((click) => clickEvent(click)));
        ingestMs.push(performance.now() - s);
        clicks += listClicks.length;
      } catch (error) {
        errors++;
        if (errors <= 3) say(`request failed: ${(error as Error).message}`);
      }
    };
    const inFlight = new Set<Promise<void>>();
    for (let n = 0; n < seconds * env.BENCH_RPS; n++) {
      // Open-loop arrivals: a slow answer does not slow the offered rate.
      const due = started + (n * 1000) / env.BENCH_RPS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const request = oneList().finally(() => inFlight.delete(request));
      inFlight.add(request);
      if (n % (env.BENCH_RPS * 30) === 0 && n > 0) say(`${Math.round((performance.now() - started) / 1000)} s: ${serveMs.length} lists, ${clicks} clicks, ${errors} errors`);
    }
    await Promise.all(inFlight);
    clearInterval(sampler);
    const elapsedS = (performance.now() - started) / 1000;
    const lag = await featuresCaughtUp(clients, groupId);

    const memory = Object.fromEntries(
      [...rss].map(([name, samples]) => {
        const warm = samples.filter((s) => s.at >= env.BENCH_WARMUP_S);
        const first = warm[0]?.mb ?? Number.NaN;
        const last = warm.at(-1)?.mb ?? Number.NaN;
        const minutes = ((warm.at(-1)?.at ?? 0) - (warm[0]?.at ?? 0)) / 60;
        return [name, { first, last, max: Math.max(...samples.map((s) => s.mb)), perMinute: minutes > 0 ? (last - first) / minutes : Number.NaN }];
      }),
    );
    const figures: Record<string, number> = {
      seconds: round(elapsedS),
      lists: serveMs.length,
      lists_per_s: round(serveMs.length / elapsedS),
      clicks_ingested: clicks,
      errors,
      degraded_lists: degraded,
      serve_p50_ms: round(percentile(serveMs, 50)),
      serve_p99_ms: round(percentile(serveMs, 99)),
      ingest_p99_ms: round(percentile(ingestMs, 99)),
      features_caught_up_s: round(lag, 2),
    };
    for (const [name, m] of Object.entries(memory)) {
      const key = name.replace('-', '_');
      figures[`${key}_rss_mb`] = round(m.last);
      figures[`${key}_rss_growth_mb_per_min`] = round(m.perMinute, 2);
    }
    recordBenchmark({
      area: 'loop',
      figures,
      details: [
        '| app | RSS after warm-up (MB) | RSS at end (MB) | max (MB) | growth after warm-up (MB/min) |',
        '|---|---|---|---|---|',
        ...Object.entries(memory).map(([name, m]) => `| ${name} | ${round(m.first)} | ${round(m.last)} | ${round(m.max)} | ${round(m.perMinute, 2)} |`),
        '',
        `Load: ${env.BENCH_RPS} recommendation requests/s (open loop) for ${seconds} s from simulated users of a ${world.users.length}-user, ${world.items.length}-item world,`,
        'each list\'s clicks (drawn from the world\'s ground truth) sent to the ingester at once; exposures flow from serving through Kafka to the feature builder.',
        `Apps as their own processes; memory is resident set size from /proc, sampled every ${SAMPLE_EVERY_MS / 1000} s, growth measured after a ${env.BENCH_WARMUP_S} s warm-up.`,
        `features_caught_up_s: from the end of the load until the feature builder had applied every event. 1-minute load average at the end: ${loadavg()[0]!.toFixed(1)} on 2 cores shared with Kafka, Postgres, Redis and the load generator.`,
      ],
    });
  } finally {
    await Promise.allSettled(Object.values(apps).map((child) => stopApp(child)));
    await clients.pool.end();
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(`bench:loop failed: ${error.message}`);
  process.exit(1);
});
