import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pacedLoad } from './paced-load.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** A server that answers with the body it got, after `delayMs(n)` for the n-th request. */
async function echoServer(delayMs: (n: number) => number): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  server = createServer((req, res) => {
    const n = arrivals.push(performance.now()) - 1;
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ n, body, extra: 1 })), delayMs(n)));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

const job = (url: string) => ({ url, path: '/', headers: { 'content-type': 'application/json' }, bodies: ['"a"', '"b"'], rate: 100, seconds: 1, connections: 8, keep: ['n', 'body'] });

describe('paced load generator', () => {
  it('sends rate x seconds requests evenly spaced, not in bursts, keeping the fields asked for', async () => {
    const { url, arrivals } = await echoServer(() => 0);
    const result = await pacedLoad(job(url));
    expect(result).toMatchObject({ sent: 100, completed: 100, errors: 0, non2xx: 0 });
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!).sort((a, b) => a - b);
    // 10 ms apart; a burst would put most arrivals within a millisecond of each other.
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThan(7);
    expect(result.responses).toContainEqual({ n: 1, body: '"b"' });
    expect(Object.keys(result.responses[0]!)).toEqual(['n', 'body']);
  }, 20_000);

  it('charges the requests queued behind a stall from their scheduled time', async () => {
    // Request 10 stalls 300 ms and there is one connection: the 30 requests due meanwhile wait for it.
    const { url } = await echoServer((n) => (n === 10 ? 300 : 0));
    const result = await pacedLoad({ ...job(url), connections: 1 });
    expect(result.completed).toBe(100);
    expect(result.latencyMs.max).toBeGreaterThanOrEqual(300);
    expect(result.latencyMs.p90).toBeGreaterThan(50);
  }, 20_000);
});
