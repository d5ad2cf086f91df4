/**
 * `npm run load:movielens -- --file ratings.csv [--url http://127.0.0.1:8080] [--key KEY]`:
 * sends a MovieLens rating file (u.data, ratings.dat or ratings.csv) to an
 * ingester as `rating` events. Ids are derived from the ratings, so loading
 * the same file twice changes nothing downstream.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IngestClient } from '@recstream/ingest';
import { movieLensEvents, readMovieLens } from '@recstream/synth';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    url: { type: 'string', default: 'http://127.0.0.1:8080' },
    key: { type: 'string', default: process.env.RECSTREAM_API_KEY },
  },
});

async function main(): Promise<void> {
  if (!values.file || !existsSync(values.file)) throw new Error(`--file must name a MovieLens rating file (got ${values.file ?? 'nothing'})`);
  let sent = 0;
  const started = performance.now();
  const client = new IngestClient({
    url: values.url!,
    apiKey: values.key,
    onBatch: ({ accepted, rejected }) => {
      sent += accepted + rejected;
      if (sent % 50_000 < accepted + rejected) console.log(`${sent.toLocaleString('en')} ratings sent (${Math.round(sent / ((performance.now() - started) / 1000))}/s)`);
    },
  });
  const summary = await client.send(movieLensEvents(readMovieLens(values.file)));
  console.log(`done: ${summary.accepted.toLocaleString('en')} accepted, ${summary.rejected} rejected, ${summary.retries} retried batches`);
}

main().catch((error: Error) => {
  console.error(`load:movielens failed: ${error.message}`);
  process.exit(1);
});
