/**
 * An open-loop HTTP load generator: requests leave at evenly spaced times,
 * `rate` per second, whatever the server answers, over a pool of keep-alive
 * connections. Each latency counts from the time the request was scheduled,
 * not from when it could be sent, so a server that stalls is charged for
 * the queue it causes (no coordinated omission, as in wrk2).
 *
 * autocannon's overallRate is not this: it gives every connection a budget
 * per second that the connection spends back to back as soon as its second
 * starts, so requests arrive in bursts of `connections` at once
 * (docs/decisions/paced-load-generator.md).
 *
 * `pacedLoad` runs the generator in a process of its own, so that the
 * caller's garbage collection and timers do not delay the schedule.
 */
import { spawn } from 'node:child_process';
import { HttpConnections } from './http-connections.js';
import { percentile } from './report.js';

export interface PacedLoadJob {
  url: string;
  path: string;
  headers: Record<string, string>;
  /** Request bodies (POST), used in turn. */
  bodies: string[];
  rate: number;
  seconds: number;
  /** Keep-alive connections, opened at the start; a request that finds them all busy waits for one, and its wait counts. */
  connections: number;
  /** Top-level fields of each 2xx JSON response kept in `responses`. */
  keep: string[];
}

export interface PacedLoadResult {
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  /** Completed responses per second of the run. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** How far the schedule ran behind its own clock at worst, ms (the generator's own delay, not the server's). */
  maxScheduleLagMs: number;
  responses: Record<string, unknown>[];
}

export function pacedLoad(job: PacedLoadJob): Promise<PacedLoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(output) as PacedLoadResult) : reject(new Error(`the load generator exited with code ${code}`))));
    child.stdin.end(JSON.stringify(job));
  });
}

async function generate(job: PacedLoadJob): Promise<PacedLoadResult> {
  const target = new URL(job.url);
  // Requests go out on the connection idle longest, so the load spreads over all of them: node:http's default (LIFO)
  // kept reusing the few most recent ones, and node:cluster deals out connections, not requests, so one process of
  // several took almost all the load (docs/decisions/paced-load-generator.md).
  const pool = new HttpConnections({ host: target.hostname, port: Number(target.port), connections: job.connections });
  await pool.open();
  const intervalMs = 1000 / job.rate;
  const total = Math.round(job.rate * job.seconds);
  const latencies: number[] = [];
  // Bodies are parsed after the run: parsing 4 KB as each arrives delayed the next ones in this process.
  const bodies: string[] = [];
  let [errors, non2xx, finished, maxScheduleLagMs] = [0, 0, 0, 0];
  let done!: () => void;
  const allDone = new Promise<void>((r) => (done = r));
  const settle = () => void (++finished === total && done());

  const send = (index: number, scheduledAt: number) => {
    pool.post(job.path, job.headers, job.bodies[index % job.bodies.length]!).then(
      ({ status, body }) => {
        latencies.push(performance.now() - scheduledAt);
        if (status >= 200 && status < 300) bodies.push(body);
        else non2xx++;
        settle();
      },
      () => {
        errors++;
        settle();
      },
    );
  };

  const started = performance.now();
  let next = 0;
  const tick = () => {
    const now = performance.now();
    while (next < total && started + next * intervalMs <= now) {
      const scheduledAt = started + next * intervalMs;
      maxScheduleLagMs = Math.max(maxScheduleLagMs, now - scheduledAt);
      send(next++, scheduledAt);
    }
    if (next < total) setTimeout(tick, Math.max(0, started + next * intervalMs - performance.now()));
  };
  tick();
  await allDone;
  const seconds = (performance.now() - started) / 1000;
  pool.close();
  const responses = bodies.map((body) => {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return Object.fromEntries(job.keep.map((field) => [field, parsed[field]]));
  });
  return {
    sent: total,
    completed: latencies.length,
    errors,
    non2xx,
    rps: latencies.length / seconds,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
    maxScheduleLagMs,
    responses,
  };
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => (input += chunk));
  process.stdin.on('end', () => {
    generate(JSON.parse(input) as PacedLoadJob).then(
      (result) => process.stdout.write(JSON.stringify(result)),
      (error: Error) => {
        console.error(`load generator: ${error.stack ?? error.message}`);
        process.exit(1);
      },
    );
  });
}
