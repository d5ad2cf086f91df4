import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateRanking, leaveLatestOut, selectBackend } from '@recstream/models';
import { isModelKind, type ModelKind } from '@recstream/schemas';
import { featureSpecFor, optionsFor, type NcfCliOptions } from '../ncf/options.js';
import { trainAsGiven, tuneAndTrain } from '../ncf/run.js';
import { recordBenchmark, round } from './report.js';
import { generatedMovieLens, movieLensFiles, plantedDataset, type BenchDataset } from './tune-data.js';

/**
 * Hyperparameter search through the ncf CLI's own paths: per data set and
 * model kind, the CLI defaults trained as given against the settings
 * `--tune` picks on validation, both ranked on the same test cases; and MF
 * from a deliberately bad start on planted data, the case tuning exists for.
 * Data: planted sequences and two generated MovieLens-format files, or with
 * `--data a,b` the MovieLens-format files given (real data sets).
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    models: { type: 'string', default: 'mf,neumf' },
    trials: { type: 'string', default: '12' },
    users: { type: 'string', default: '400' },
    items: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
    data: { type: 'string' },
  },
});
const kinds = values.models.split(',').map((kind) => {
  if (!isModelKind(kind)) throw new Error(`--models: unknown model kind ${kind}`);
  return kind;
});
const trials = Number(values.trials);
const seed = Number(values.seed);
const sizes = { users: Number(values.users), items: Number(values.items), seed };
const started = performance.now();
const backend = await selectBackend({ preference: ['wasm', 'cpu'] });
const dir = mkdtempSync(join(tmpdir(), 'bench-tune-'));
const datasets: BenchDataset[] = values.data
  ? await movieLensFiles(values.data.split(','))
  : [plantedDataset(sizes), ...(await generatedMovieLens(dir, sizes))];
rmSync(dir, { recursive: true, force: true });

/** MF flags a user might start from: tiny factors, a crawling learning rate, one negative, three epochs. */
const BAD_START = { dim: 4, lr: 0.002, negatives: 1, epochs: 3, batch: 2048 };

interface KindResult {
  label: string;
  users: number;
  defaultHr: number;
  tunedHr: number;
  defaultNdcg: number;
  tunedNdcg: number;
  validationDefaultHr: number;
  validationTunedHr: number;
  trials: number;
  tuningSeconds: number;
  settings: Record<string, number>;
}
const results: KindResult[] = [];
for (const dataset of datasets) {
  const split = leaveLatestOut(dataset.interactions, { seed });
  const runs: { label: string; kind: ModelKind; overrides: Partial<NcfCliOptions> }[] = [
    ...kinds.map((kind) => ({ label: `${dataset.label}_${kind}`, kind, overrides: {} })),
    ...(dataset.label === 'planted' ? [{ label: 'planted_mf_bad_start', kind: 'mf' as const, overrides: BAD_START }] : []),
  ];
  for (const { label, kind, overrides } of runs) {
    const o = optionsFor({ model: kind, data: '', tune: true, trials, overrides: { ...overrides, seed } }, kind);
    const spec = featureSpecFor(o);
    const model = await trainAsGiven(o, split, spec);
    const defaults = evaluateRanking(model, split.cases, spec);
    model.dispose();
    const run = await tuneAndTrain(o, split);
    run.model.dispose();
    results.push({
      label,
      users: split.cases.length,
      defaultHr: defaults.hitRate,
      tunedHr: run.report.hitRate,
      defaultNdcg: defaults.ndcg,
      tunedNdcg: run.report.ndcg,
      validationDefaultHr: run.tuning.trials[0]!.score,
      validationTunedHr: run.tuning.best.score,
      trials: run.tuning.trials.length,
      tuningSeconds: run.tuning.seconds,
      settings: run.tuning.chosen,
    });
  }
}

recordBenchmark({
  area: 'tune',
  args: process.argv.slice(2),
  figures: {
    backend,
    trials_per_kind: trials,
    wall_s: round((performance.now() - started) / 1000, 1),
    ...Object.fromEntries(
      results.flatMap((r) => [
        [`${r.label}_default_hr_at_10`, round(r.defaultHr, 4)],
        [`${r.label}_tuned_hr_at_10`, round(r.tunedHr, 4)],
        [`${r.label}_gain_hr_at_10`, round(r.tunedHr - r.defaultHr, 4)],
        [`${r.label}_default_ndcg_at_10`, round(r.defaultNdcg, 4)],
        [`${r.label}_tuned_ndcg_at_10`, round(r.tunedNdcg, 4)],
        [`${r.label}_tuning_s`, round(r.tuningSeconds, 1)],
      ]),
    ),
  },
  structured: { settings: Object.fromEntries(results.map((r) => [r.label, r.settings])) },
  details: [
    '| data set and model | test users | trials | tuning s | validation HR@10 default / tuned | test HR@10 default / tuned | test NDCG@10 default / tuned | chosen settings |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.users} | ${r.trials} | ${r.tuningSeconds.toFixed(1)} | ${r.validationDefaultHr.toFixed(4)} / ${r.validationTunedHr.toFixed(4)} | ` +
        `${r.defaultHr.toFixed(4)} / ${r.tunedHr.toFixed(4)} | ${r.defaultNdcg.toFixed(4)} / ${r.tunedNdcg.toFixed(4)} | ` +
        `${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ')} |`,
    ),
    '',
    '- protocol: NCF (latest interaction per user as test, ranked among 99 sampled items); tuning scores the second-latest as validation and never reads the test split.',
    ...datasets.map((dataset) => `- ${dataset.description}`),
    '- default: the ncf CLI defaults of each kind, trained as given; tuned: `--tune` with the trial count above (trial 0 is the defaults, with early stopping), then trained on all training interactions.',
    `- planted_mf_bad_start: MF from \`${Object.entries(BAD_START).map(([k, v]) => `--${k} ${v}`).join(' ')}\` instead of the defaults, tuned the same way.`,
    '- real data: `npm run bench:tune -- --data path/u.data,path/ratings.dat` reports the same per file; the project\'s own check runs it on held-out real MovieLens data sets that are not in the repo.',
    '- times are wall-clock, on a machine that may be shared with other work (the load average above says how busy).',
  ],
});
