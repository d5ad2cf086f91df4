import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout, one namespaced child per component. */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, base: { service: name } });
}
