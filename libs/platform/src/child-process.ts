import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';

/** Ends a child process (SIGTERM for a clean shutdown, SIGKILL for a crash) and resolves once it has exited; one already gone is left be. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * Starts a server process with its output appended to `logFile`. Detached,
 * it outlives this process and no child is returned; otherwise the child is
 * for `stopChild`.
 */
export function spawnLogged(command: string, args: readonly string[], logFile: string, detached: boolean): { pid: number; child?: ChildProcess } {
  const log = openSync(logFile, 'a');
  const child = spawn(command, args, { detached, stdio: ['ignore', log, log] });
  if (!detached) return { pid: child.pid!, child };
  child.unref();
  return { pid: child.pid! };
}
