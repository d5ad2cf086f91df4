/**
 * `npm run samples:generate -- --from 2026-03-01 --to 2026-03-04 [--rebuild] [--no-train]
 *   [--label-source implicit --min-rating 4 --split leave-latest-out ...]`:
 * builds the dataset version for that range here, printing progress and each
 * feature view's point-in-time coverage, then enqueues its training jobs
 * (unless --no-train), as a scheduled run would. Every sample setting is a
 * flag named in SAMPLE_FLAGS and an environment variable; a flag wins.
 */
import { parseArgs } from 'node:util';
import { FlowProducer } from 'bullmq';
import { useViewCatalogue } from '@recstream/features';
import { createClients, createLogger } from '@recstream/platform';
import { DEFAULT_RETRY_POLICY, enqueueTraining, lowCoverage, refreshBiViews, SampleGenerator } from '@recstream/samples';
import { SAMPLE_FLAGS, sampleGeneratorConfig, withFlags } from '../env.js';

const settingFlags = Object.fromEntries(Object.keys(SAMPLE_FLAGS).map((flag) => [flag, { type: 'string' as const }]));
const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    'no-train': { type: 'boolean', default: false },
    ...settingFlags,
  },
});
const from = Date.parse(values.from ?? '');
const to = Date.parse(values.to ?? '');
if (Number.isNaN(from) || Number.isNaN(to) || from >= to) {
  console.error('give --from and --to as ISO-8601 dates or times, from before to, e.g. --from 2026-03-01 --to 2026-03-04');
  process.exit(2);
}
const config = configOrExit();
useViewCatalogue(config.viewCatalogue);
const logger = createLogger('samples-generate', config.logLevel);
const { redis, pool, release } = createClients(config, logger);
const flows = new FlowProducer({ connection: redis, prefix: config.worker.prefix });
try {
  const generator = new SampleGenerator(pool, config.generator);
  const { labelSource, splitStrategy } = generator.config;
  console.log(`building ${generator.datasetVersion({ from, to })} for [${new Date(from).toISOString()}, ${new Date(to).toISOString()}) (labels: ${labelSource}, split: ${splitStrategy})`);
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
  console.log('feature coverage (share of samples whose point-in-time view was found):');
  for (const [view, coverage] of Object.entries(manifest.featureCoverage)) console.log(`  ${view.padEnd(18)} ${coverage.toFixed(4)}`);
  for (const { view, coverage } of lowCoverage(manifest, config.worker.coverageWarningBelow)) {
    console.warn(
      `warning: ${view} coverage ${coverage.toFixed(4)} is below ${config.worker.coverageWarningBelow}: most samples carry its defaults (no feature_history row within the view's TTL before the label)`,
    );
  }
  console.log(JSON.stringify({ datasetVersion: manifest.datasetVersion, reused, samples: manifest.sampleCount, labelRate: manifest.labelRate, splits: manifest.splitCounts, featureCoverage: manifest.featureCoverage, buildMs: manifest.buildMs }));
  if (config.worker.refreshBi) console.log(`refreshed BI views (ms): ${JSON.stringify(await refreshBiViews(pool))}`);
  if (!values['no-train']) {
    const ids = await enqueueTraining(flows, manifest.datasetVersion, config.worker.trainTargets, DEFAULT_RETRY_POLICY, manifest.config.seed);
    console.log(`enqueued training: ${ids.join(', ')}`);
  }
} catch (error) {
  console.error(`samples:generate failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await flows.close();
  await release();
}

/** A bad setting ends the run with the variable or flag to fix, not a stack trace. */
function configOrExit() {
  try {
    return sampleGeneratorConfig(withFlags(process.env, values as Partial<Record<keyof typeof SAMPLE_FLAGS, string>>));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}
