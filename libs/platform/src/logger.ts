import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields never written to logs, whatever a call passes: credentials in
 * headers, and Postgres' `where` on errors, which quotes the input around
 * the failure (a JSON payload, with whatever personal data it holds). Logs
 * carry ids and counts, not payloads.
 */
const REDACTED_LOG_FIELDS = ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'err.where', '*.where'];

/** JSON logs on stdout (or `destination`), one namespaced child per component. */
export function createLogger(name: string, level = 'info', destination?: DestinationStream): Logger {
  const options = { name, level, base: { service: name }, redact: { paths: REDACTED_LOG_FIELDS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
