/**
 * `npm run samples:generate -- --from 2026-03-01 --to 2026-03-04 [--rebuild] [--no-train]`:
 * builds the dataset version for that range here, printing progress, then
 * enqueues its training jobs (unless --no-train), as a scheduled run would.
 */
import { parseArgs } from 'node:util';
import { FlowProducer } from 'bullmq';
import { createClients, createLogger } from '@recstream/platform';
import { DEFAULT_RETRY_POLICY, enqueueTraining, refreshBiViews, SampleGenerator } from '@recstream/samples';
import { sampleGeneratorConfig } from '../env.js';

const { values } = parseArgs({
  options: { from: { type: 'string' }, to: { type: 'string' }, rebuild: { type: 'boolean', default: false }, 'no-train': { type: 'boolean', default: false } },
});
const from = Date.parse(values.from ?? '');
const to = Date.parse(values.to ?? '');
if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
  console.error('give --from and --to as ISO-8601 dates or times, from before to, e.g. --from 2026-03-01 --to 2026-03-04');
  process.exit(2);
}
const config = sampleGeneratorConfig();
const logger = createLogger('samples-generate', config.logLevel);
const { redis, pool, release } = createClients(config, logger);
const flows = new FlowProducer({ connection: redis, prefix: config.worker.prefix });
try {
  const generator = new SampleGenerator(pool, config.generator);
  console.log(`building ${generator.datasetVersion({ from, to })} for [${new Date(from).toISOString()}, ${new Date(to).toISOString()})`);
  const { manifest, reused } = await generator.generate({
    range: { from, to },
    rebuild: values.rebuild,
    onProgress: (p) => console.log(`${String(Math.round(p.done * 100)).padStart(3)}%  ${p.step.padEnd(26)} ${(p.elapsedMs / 1000).toFixed(1)} s`),
  });
  if (reused) {
    console.error(
      `\nALREADY BUILT: ${manifest.datasetVersion} covers this range with these settings and is ready, so it was reused and nothing was built.\n` +
        'Pass --rebuild to build it again (after a backfill or new events in the range).\n',
    );
  }
  console.log(JSON.stringify({ datasetVersion: manifest.datasetVersion, reused, samples: manifest.sampleCount, labelRate: manifest.labelRate, splits: manifest.splitCounts, featureCoverage: manifest.featureCoverage, buildMs: manifest.buildMs }));
  if (config.worker.refreshBi) console.log(`refreshed BI views (ms): ${JSON.stringify(await refreshBiViews(pool))}`);
  if (!values['no-train']) {
    const ids = await enqueueTraining(flows, manifest.datasetVersion, config.worker.trainTargets, DEFAULT_RETRY_POLICY, manifest.config.seed);
    console.log(`enqueued training: ${ids.join(', ')}`);
  }
} finally {
  await flows.close();
  await release();
}
