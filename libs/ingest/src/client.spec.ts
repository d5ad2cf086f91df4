import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { IngestClient } from './client.js';

let server: Server | undefined;

/** An ingester stand-in that answers each batch a little later, recording the batches and how many were in flight at once. */
async function fakeIngester(): Promise<{ url: string; batches: string[][]; maxInFlight: () => number }> {
  const batches: string[][] = [];
  let inFlight = 0;
  let max = 0;
  server = createServer((request, response) => {
    max = Math.max(max, ++inFlight);
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const ids = body.split('\n').map((line) => (JSON.parse(line) as { event_id: string }).event_id);
      setTimeout(() => {
        batches.push(ids);
        inFlight--;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: ids.length, rejected: [] }));
      }, 5);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, batches, maxInFlight: () => max };
}

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

const events = Array.from({ length: 50 }, (_, i) => ({ event_id: `e${i}` }));

describe('IngestClient', () => {
  it('sends several batches at once by default', async () => {
    const ingester = await fakeIngester();
    const summary = await new IngestClient({ url: ingester.url, batchSize: 5 }).send(events);
    expect(summary.accepted).toBe(50);
    expect(ingester.maxInFlight()).toBeGreaterThan(1);
  });

  it('with ordered, sends one batch at a time, in the order given', async () => {
    const ingester = await fakeIngester();
    const summary = await new IngestClient({ url: ingester.url, batchSize: 5, ordered: true }).send(events);
    expect(summary.accepted).toBe(50);
    expect(ingester.maxInFlight()).toBe(1);
    expect(ingester.batches.flat()).toEqual(events.map((event) => event.event_id));
  });
});
