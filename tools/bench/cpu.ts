import { readFileSync, readdirSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** utime + stime of a /proc/<pid>/stat line, in seconds (fields 14 and 15, 12 and 13 after the command name; 100 clock ticks per second). */
function statSeconds(pid: number | string): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) a process and its live children (an app's cluster workers) have used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  return children.reduce((sum, child) => sum + cpuSeconds(child), statSeconds(pid));
}

/**
 * CPU seconds the Postgres backends connected to `database` have used, read
 * from /proc (Postgres titles each backend with its database): on a shared
 * machine, CPU time says more about the cost than wall time does. Undefined
 * where /proc does not show them (another host).
 */
export function postgresCpuSeconds(database: string): number | undefined {
  let seconds = 0;
  let found = false;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) continue;
      seconds += statSeconds(pid);
      found = true;
    } catch (error) {
      // A process that ended between listing and reading was not a backend of ours; /proc hides others' (EACCES).
      if (!['ENOENT', 'ESRCH', 'EACCES'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
  return found ? seconds : undefined;
}

/** CPU seconds the Redis server has used since it started (INFO cpu): the whole server's, other clients' work included. */
export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_user') + field('used_cpu_sys');
}
