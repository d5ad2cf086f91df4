/**
 * The platform's apps as local processes, each run from its main.ts as it is
 * deployed. Benchmarks start them attached and stop them when done; the demo
 * leaves them running in the background, with a pid file and a log under
 * .data/apps, so `infra:down` (or the next demo) can stop them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DATA_DIR } from './settings.js';

const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const APPS_DIR = resolve(DATA_DIR, 'apps');

export interface StartAppOptions {
  /** Extra environment on top of this process's. */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Leave the app running after this process exits: output goes to .data/apps/<name>.log, its pid to <name>.pid. */
  background?: boolean;
  /** Name of the pid and log files; the app's name by default (two instances of one app need two names). */
  name?: string;
}

/** Runs `apps/<app>/src/main.ts` as its own process, resolving once /readyz on `port` answers 200. */
export async function startApp(app: string, port: number, options: StartAppOptions = {}): Promise<ChildProcess> {
  const { env = {}, readyTimeoutMs = 60_000, background = false, name = app } = options;
  const args = ['--conditions=@recstream/source', '--import', 'tsx', resolve(REPO_ROOT, `apps/${app}/src/main.ts`)];
  const childEnv = { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env };
  let child: ChildProcess;
  if (background) {
    mkdirSync(APPS_DIR, { recursive: true });
    const log = openSync(resolve(APPS_DIR, `${name}.log`), 'a');
    child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', log, log], detached: true, cwd: REPO_ROOT });
    writeFileSync(resolve(APPS_DIR, `${name}.pid`), JSON.stringify({ pid: child.pid, app }));
    child.unref();
  } else {
    child = spawn(process.execPath, args, { env: childEnv, stdio: ['ignore', 'inherit', 'inherit'], cwd: REPO_ROOT });
  }
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const logHint = background ? `; see ${resolve(APPS_DIR, `${name}.log`)}` : '';
      throw new Error(`${app} exited with code ${child.exitCode} before it was ready${logHint}`);
    }
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  // Waited for, so a caller that exits on this error leaves no app (or its workers) behind.
  await stopApp(child);
  throw new Error(`${app} was not ready on port ${port} within ${readyTimeoutMs / 1000} s`);
}

/** Sends SIGTERM (the apps shut down gracefully on it) and waits for the exit. */
export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Stops every app left running in the background; returns their names. */
export async function stopBackgroundApps(timeoutMs = 15_000): Promise<string[]> {
  if (!existsSync(APPS_DIR)) return [];
  const stopped: string[] = [];
  for (const file of readdirSync(APPS_DIR).filter((f) => f.endsWith('.pid'))) {
    const name = file.slice(0, -'.pid'.length);
    const { pid, app } = JSON.parse(readFileSync(resolve(APPS_DIR, file), 'utf8')) as { pid: number; app: string };
    rmSync(resolve(APPS_DIR, file));
    if (!isRunning(pid) || !isApp(pid, app)) continue;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // A graceful shutdown that hangs (e.g. waiting on a dead broker) must not outlive infra:down.
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    stopped.push(name);
  }
  return stopped;
}

/** Guards against a stale pid file whose pid now belongs to some other process. */
function isApp(pid: number, app: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  return !existsSync(cmdline) || readFileSync(cmdline, 'utf8').includes(`apps/${app}/src/main.ts`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
