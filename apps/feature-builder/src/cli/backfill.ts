/**
 * `npm run backfill -- --file F [--format movielens|ndjson] [--rebuild]`:
 * loads history (a MovieLens rating file, or NDJSON events in the ingester's
 * contract) into the event log and feature history of FEATURE_NAMESPACE,
 * dead-letters invalid records, then rebuilds the online store. Stop the
 * namespace's feature builders first; start them again afterwards. The last
 * line printed is the report as JSON.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '@recstream/platform';
import { DEFAULT_FEATURE_BUILDER_OPTIONS, RangeAlreadyBuiltError, backfill, kafkaDeadLetterSink, readNdjsonRecords, useViewCatalogue } from '@recstream/features';
import { createProducer } from '@recstream/streams';
import { movieLensRecords } from '@recstream/synth';
import { connect } from '../connections.js';
import { featureBuilderConfig } from '../env.js';

const { values } = parseArgs({ options: { file: { type: 'string' }, format: { type: 'string' }, rebuild: { type: 'boolean', default: false } } });
const file = values.file;
if (!file || !existsSync(file)) {
  console.error(`--file must name a MovieLens rating file or an NDJSON file of events (got ${file ?? 'nothing'})`);
  process.exit(2);
}
const format = values.format ?? (/\.(nd)?jsonl?$/.test(file) ? 'ndjson' : 'movielens');
if (format !== 'movielens' && format !== 'ndjson') {
  console.error(`--format must be movielens or ndjson, not ${JSON.stringify(format)}`);
  process.exit(2);
}
const config = featureBuilderConfig();
useViewCatalogue(config.viewCatalogue);
const options = { ...DEFAULT_FEATURE_BUILDER_OPTIONS, ...config.options };
const logger = createLogger('backfill', config.logLevel);
const { kafka, redis, pool, release } = connect(config, logger);
const producer = createProducer(kafka);
try {
  await producer.connect();
  const records = format === 'ndjson' ? readNdjsonRecords(file) : movieLensRecords(file);
  const report = await backfill(
    {
      pool,
      redis,
      logger,
      sendDeadLetters: kafkaDeadLetterSink(producer, options.topics.deadLetter),
      onProgress: ({ step, done, total, elapsedMs }) =>
        console.log(`${step.padEnd(10)} ${done.toLocaleString('en')}${total > 0 ? `/${total.toLocaleString('en')}` : ''}  ${(elapsedMs / 1000).toFixed(1)} s`),
    },
    records,
    { ...options, rebuild: values.rebuild },
  );
  console.log(JSON.stringify(report));
} catch (error) {
  if (!(error instanceof RangeAlreadyBuiltError)) throw error;
  console.error(`\nbackfill REFUSED: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await producer.disconnect();
  await release();
}
