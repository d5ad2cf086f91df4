import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpService } from './http.js';
import { createLogger } from './logger.js';
import { createMetricsRegistry } from './metrics.js';

const LIMIT = 1_000;
const service = new HttpService({
  port: 0,
  host: '127.0.0.1',
  maxBodyBytes: LIMIT,
  logger: createLogger('http-spec', 'silent'),
  metricsRegistry: createMetricsRegistry('http-spec'),
  ready: () => true,
});
service.route('POST', '/echo', async (request) => ({ status: 200, body: { bytes: (await request.body()).length } }));
let port = 0;

/** Posts `body`, declaring its length or streaming it chunked (no content-length), and returns the status and JSON answer. */
function post(body: Buffer, chunked: boolean): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers = chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) };
    const req = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    // The server may answer 413 and close before the whole body is sent.
    req.on('error', reject);
    for (let offset = 0; offset < body.length; offset += 256) req.write(body.subarray(offset, offset + 256));
    req.end();
  });
}

beforeAll(async () => {
  port = (await service.listen()).port;
});

afterAll(() => service.close());

describe('HttpService body limit', () => {
  it.each([false, true])('accepts a body of exactly the limit (chunked: %s)', async (chunked) => {
    expect(await post(Buffer.alloc(LIMIT, 1), chunked)).toEqual({ status: 200, body: { bytes: LIMIT } });
  });

  it.each([false, true])('answers 413 naming the limit past it (chunked: %s)', async (chunked) => {
    const answer = await post(Buffer.alloc(LIMIT * 20, 1), chunked);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: `request body exceeds ${LIMIT} bytes; split it into smaller batches`, max_bytes: LIMIT });
  });
});

describe('HttpService.close', () => {
  it('lets a request in flight finish, closes its kept-alive connection, and resolves without waiting out keep-alive', async () => {
    const slow = new HttpService({ port: 0, host: '127.0.0.1', maxBodyBytes: LIMIT, logger: createLogger('http-spec', 'silent'), metricsRegistry: createMetricsRegistry('http-close-spec'), ready: () => true });
    let release = () => {};
    slow.route('GET', '/slow', () => new Promise((resolve) => (release = () => resolve({ status: 200, body: { done: true } }))));
    const { port: slowPort } = await slow.listen();
    const agent = new Agent({ keepAlive: true });
    try {
      const answered = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port: slowPort, path: '/slow', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        }).on('error', reject).end();
      });
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const closed = slow.close();
      release();
      expect(await answered).toEqual({ status: 200, connection: 'close' });
      await closed;
      // Keep-alive is 65 s; the connection must not have held the close that long.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      agent.destroy();
    }
  });
});

describe('HttpService closed before it listens', () => {
  const unstarted = (name: string) =>
    new HttpService({ port: 0, host: '127.0.0.1', maxBodyBytes: LIMIT, logger: createLogger('http-spec', 'silent'), metricsRegistry: createMetricsRegistry(name), ready: () => true });

  it('resolves the close, and a listen after it rejects instead of serving', async () => {
    const service = unstarted('http-unstarted-spec');
    await service.close();
    await expect(service.listen()).rejects.toThrow(/closed before it listened/);
  });

  it('does not stay bound when the close comes while it binds', async () => {
    const service = unstarted('http-binding-spec');
    const listening = service.listen();
    await service.close();
    await expect(listening).rejects.toThrow(/closed while it was binding/);
  });
});
