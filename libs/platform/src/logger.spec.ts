import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

/** Everything a logger writes, as one string. */
function capture(log: (logger: ReturnType<typeof createLogger>) => void): string {
  const lines: string[] = [];
  log(createLogger('logger-spec', 'info', { write: (line: string) => void lines.push(line) }));
  return lines.join('');
}

describe('createLogger', () => {
  it('never writes credentials in headers', () => {
    const key = 'rs_abcdefghijkl_secretsecretsecretsecretsecretsecretsecre';
    const out = capture((logger) => {
      logger.warn({ headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }, 'refused');
      logger.warn({ request: { headers: { authorization: key } }, authorization: key }, 'refused again');
    });
    expect(out).not.toContain(key);
    expect(out).toContain('application/json');
    expect(out).toContain('[redacted]');
  });

  it("drops the payload Postgres quotes in an error's where, keeping the error", () => {
    const error = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02', where: 'JSON data, line 1: {"user_id": "alice@example.com"' });
    const out = capture((logger) => logger.error({ err: error, topic: 'events' }, 'consumer crashed'));
    expect(out).not.toContain('alice@example.com');
    expect(out).toContain('invalid input syntax for type json');
    expect(out).toContain('22P02');
  });
});
