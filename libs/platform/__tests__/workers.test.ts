import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { unusedPort } from '../testing/index.js';

const FIXTURE = resolve(import.meta.dirname, 'fixtures/workers-app.ts');

/** Pids that answered `requests` fresh connections (no keep-alive, so each may go to another worker). */
async function answeringPids(port: number, requests: number): Promise<Set<string>> {
  const pids = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const reply = await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).catch(() => undefined);
    if (reply?.ok) pids.add(await reply.text());
  }
  return pids;
}

it('runWorkers serves one port from several processes and stops them all on SIGTERM', async () => {
  const port = await unusedPort();
  const app = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, WORKERS: '2', PORT: String(port) }, stdio: 'ignore' });
  try {
    let pids = new Set<string>();
    for (let attempt = 0; attempt < 100 && pids.size < 2; attempt++) {
      pids = new Set([...pids, ...(await answeringPids(port, 10))]);
      if (pids.size < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pids.size).toBe(2);
    expect(pids.has(String(app.pid))).toBe(false);

    const exited = new Promise<number | null>((r) => app.once('exit', (code) => r(code)));
    app.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of pids) expect(() => process.kill(Number(pid), 0)).toThrow();
  } finally {
    if (app.exitCode === null) app.kill('SIGKILL');
  }
}, 60_000);
