import { readMovieLens } from '@recstream/synth';
import {
  createModel,
  evaluateRanking,
  fit,
  leaveLatestOut,
  neuMfFromPretrained,
  NeuMfModel,
  PopularityScorer,
  selectBackend,
  type FitOptions,
  type Interaction,
  type RankingReport,
  type RecModel,
} from '@recstream/models';
import { featureSpecFor, modelConfigFor, parseCli, type NcfCliOptions } from './options.js';

const started = performance.now();
const options = parseOrExit(process.argv.slice(2));
const backend = await selectBackend({
  onSelect: (name, skipped) =>
    console.error(`backend: ${name}${skipped.length ? ` (skipped ${skipped.map((s) => s.name).join(', ')})` : ''}`),
});

const interactions: Interaction[] = [];
for await (const rating of readMovieLens(options.data)) {
  const date = new Date(rating.timestamp);
  interactions.push({ ...rating, context: [date.getUTCHours(), date.getUTCDay()] });
}
const split = leaveLatestOut(interactions, { seed: options.seed });
console.error(`${interactions.length} ratings, ${split.cases.length} test users, ${split.train.length} training interactions`);

const spec = featureSpecFor(options);
const fitOptions = (label: string, epochs: number): Partial<FitOptions> => ({
  epochs,
  batchSize: options.batch,
  negatives: options.negatives,
  seed: options.seed,
  onBatch: progressBar(label, split.train.length * (1 + options.negatives)),
  onEpoch: ({ epoch, loss, samples, seconds }) =>
    console.error(`\r\x1b[K${label} epoch ${epoch + 1}/${epochs}: loss ${loss.toFixed(4)}, ${Math.round(samples / seconds)} samples/s`),
});

const model = await train(options);
const report = evaluateRanking(model, split.cases, spec);
const popularity = evaluateRanking(new PopularityScorer(split.train), split.cases, spec);
printTable([
  [options.model, report],
  ['popularity', popularity],
]);
console.log(
  JSON.stringify({
    model: options.model,
    backend,
    hr_at_10: round(report.hitRate),
    ndcg_at_10: round(report.ndcg),
    popularity_hr_at_10: round(popularity.hitRate),
    popularity_ndcg_at_10: round(popularity.ndcg),
    users: report.users,
    seconds: round((performance.now() - started) / 1000),
  }),
);

async function train(o: NcfCliOptions): Promise<RecModel> {
  const config = modelConfigFor(o);
  if (o.model === 'neumf' && o.pretrainEpochs > 0) {
    // NCF's pretraining: GMF and MLP alone first, then NeuMF starts from both.
    const gmf = new NeuMfModel({ ...config, variant: 'gmf' }, spec);
    const mlp = new NeuMfModel({ ...config, variant: 'mlp' }, spec);
    await fit(gmf, split.train, spec, fitOptions('gmf', o.pretrainEpochs));
    await fit(mlp, split.train, spec, fitOptions('mlp', o.pretrainEpochs));
    const neumf = neuMfFromPretrained(gmf, mlp);
    gmf.dispose();
    mlp.dispose();
    await fit(neumf, split.train, spec, fitOptions('neumf', o.epochs));
    return neumf;
  }
  const fresh = createModel(o.model, spec, config);
  await fit(fresh, split.train, spec, fitOptions(o.model, o.epochs));
  return fresh;
}

/** A one-line progress bar on stderr, redrawn at most every half second. */
function progressBar(label: string, perEpoch: number): FitOptions['onBatch'] {
  let lastDraw = 0;
  return ({ epoch, samples }) => {
    const now = performance.now();
    if (now - lastDraw < 500) return;
    lastDraw = now;
    const share = Math.min(samples / perEpoch, 1);
    const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
    process.stderr.write(`\r${label} epoch ${epoch + 1} [${bar}] ${Math.round(share * 100)}%`);
  };
}

function printTable(rows: [string, RankingReport][]): void {
  console.log('\n| model | HR@10 | NDCG@10 | Recall@10 | coverage@10 | users |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r] of rows) {
    console.log(`| ${name} | ${r.hitRate.toFixed(4)} | ${r.ndcg.toFixed(4)} | ${r.recall.toFixed(4)} | ${r.coverage.toFixed(4)} | ${r.users} |`);
  }
}

/** Bad arguments end the run with the usage text, not a stack trace. */
function parseOrExit(argv: string[]): NcfCliOptions {
  try {
    return parseCli(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
