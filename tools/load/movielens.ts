/**
 * `npm run load:movielens -- --file ratings.csv [--url http://127.0.0.1:8080] [--key KEY] [--ordered]`:
 * sends a MovieLens rating file (u.data, ratings.dat or ratings.csv) to an
 * ingester as `rating` events. Ids are derived from the ratings, so loading
 * the same file twice changes nothing downstream. `--ordered` sorts the
 * ratings by time and sends one batch at a time, so the stream sees them in
 * order (history is better loaded with `npm run backfill`).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IngestClient } from '@recstream/ingest';
import type { InteractionEventInput } from '@recstream/schemas';
import { movieLensEvents, readMovieLens } from '@recstream/synth';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    key: { type: 'string', default: process.env.RECSTREAM_API_KEY },
    ordered: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  if (!values.file || !existsSync(values.file)) throw new Error(`--file must name a MovieLens rating file (got ${values.file ?? 'nothing'})`);
  let sent = 0;
  const started = performance.now();
  const client = new IngestClient({
    url: values.url!,
    apiKey: values.key,
    ordered: values.ordered,
    onBatch: ({ accepted, rejected }) => {
      sent += accepted + rejected;
      if (sent % 50_000 < accepted + rejected) console.log(`${sent.toLocaleString('en')} ratings sent (${Math.round(sent / ((performance.now() - started) / 1000))}/s)`);
    },
  });
  const events = movieLensEvents(readMovieLens(values.file));
  const summary = await client.send(values.ordered ? await inTimeOrder(events) : events);
  console.log(`done: ${summary.accepted.toLocaleString('en')} accepted, ${summary.rejected} rejected, ${summary.retries} retried batches`);
}

/** The whole file's events by event time, then event id: what `--ordered` sends. */
async function inTimeOrder(events: AsyncIterable<InteractionEventInput>): Promise<InteractionEventInput[]> {
  const all: InteractionEventInput[] = [];
  for await (const event of events) all.push(event);
  const time = (event: InteractionEventInput) => Number(event.event_time);
  return all.sort((a, b) => time(a) - time(b) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

main().catch((error: Error) => {
  console.error(`load:movielens failed: ${error.message}`);
  process.exit(1);
});
