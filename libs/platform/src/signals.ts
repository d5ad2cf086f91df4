import cluster from 'node:cluster';
import type { Logger } from 'pino';

export interface Closable {
  close(): Promise<void>;
}

/**
 * Closes `service` on SIGTERM or SIGINT and exits; a second signal exits at once.
 * Apps call this after starting so shutdown drains in-flight work first.
 */
export function closeOnSignals(service: Closable, logger: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

/**
 * Exits non-zero, after closing `service`, once `failed` resolves: a consumer
 * kafkajs gave up on consumes nothing more while /healthz stays green, so
 * the process must end for its supervisor to start a fresh one.
 */
export function exitOnFailure(failed: Promise<Error>, service: Closable, logger: Logger): void {
  void failed.then((error) => {
    logger.fatal({ err: error }, 'stopped consuming for good; exiting so that the supervisor restarts the process');
    service.close().then(
      () => process.exit(1),
      () => process.exit(1),
    );
  });
}

/**
 * Runs `worker` in `count` cluster processes that share the listening port
 * (the primary hands connections out round-robin), so a CPU-bound stateless
 * app uses several cores of one host; with a count of 1 it runs in this
 * process. The primary only supervises: it passes SIGTERM on, exits once the
 * workers have, and stops them all when one dies unasked, so whatever
 * restarts the app restarts the whole set. (SIGINT from a terminal reaches
 * the workers directly.)
 */
export async function runWorkers(count: number, logger: Logger, worker: () => Promise<void>): Promise<void> {
  if (count <= 1 || !cluster.isPrimary) return worker();
  let stopping = false;
  const stop = (signal?: NodeJS.Signals) => {
    stopping = true;
    if (signal) for (const child of Object.values(cluster.workers ?? {})) child?.process.kill(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop());
  cluster.on('exit', (child, code, signal) => {
    if (!stopping) {
      logger.error({ pid: child.process.pid, code, signal }, 'a worker died; stopping the others');
      process.exitCode = 1;
      stop('SIGTERM');
    }
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
  });
  for (let i = 0; i < count; i++) cluster.fork();
  logger.info({ workers: count }, 'started worker processes');
}
