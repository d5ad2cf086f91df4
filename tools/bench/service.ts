import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const REPO_ROOT = resolve(import.meta.dirname, '../..');

/** Runs an app's main.ts as its own process (as deployed), resolving once /readyz answers 200 (within `readyTimeoutMs`). */
export async function startApp(app: string, port: number, env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@recstream/source', '--import', 'tsx', resolve(REPO_ROOT, `apps/${app}/src/main.ts`)],
    { env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${app} exited with code ${child.exitCode} before it was ready`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill();
  throw new Error(`${app} was not ready on port ${port} within ${readyTimeoutMs / 1000} s`);
}

export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
