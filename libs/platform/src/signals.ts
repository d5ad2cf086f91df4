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
