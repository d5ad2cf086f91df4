import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticWorld } from '@recstream/synth';
import { ingestWorld } from './pipeline.js';

let server: Server | undefined;

/** An ingester stand-in that lands each batch when it answers, the first one last: side-by-side batches would land out of order. */
async function slowFirstIngester(): Promise<{ url: string; landed: string[] }> {
  const landed: string[] = [];
  let requests = 0;
  server = createServer((request, response) => {
    const delayMs = requests++ === 0 ? 50 : 1;
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const ids = body.split('\n').map((line) => (JSON.parse(line) as { event_id: string }).event_id);
      setTimeout(() => {
        landed.push(...ids);
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted: ids.length, rejected: [] }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, landed };
}

afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

describe('ingestWorld', () => {
  it("lands the world's events in event-time order, so the feature builder counts none of its history as late", async () => {
    const world = new SyntheticWorld({ users: 40, items: 100, categories: 5, days: 2, seed: 3 });
    const given = [...world.upsertEvents(), ...world.interactionEvents()].map((event) => event.event_id as string);
    const ingester = await slowFirstIngester();
    await ingestWorld({ url: ingester.url, apiKey: 'test' }, world, []);
    expect(given.length).toBeGreaterThan(1_500);
    expect(ingester.landed).toEqual(given);
  });
});
