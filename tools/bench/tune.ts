import { parseArgs } from 'node:util';
import { evaluateRanking, leaveLatestOut, selectBackend } from '@recstream/models';
import { plantedSequences } from '@recstream/models/testing';
import { isModelKind, type ModelKind } from '@recstream/schemas';
import { featureSpecFor, optionsFor, type NcfCliOptions } from '../ncf/options.js';
import { trainAsGiven, tuneAndTrain } from '../ncf/run.js';
import { recordBenchmark, round } from './report.js';

/**
 * Hyperparameter search on planted sequences, through the ncf CLI's own
 * paths: per model kind, the CLI defaults trained as given against the
 * settings `--tune` picks on validation, both ranked on the same test cases;
 * and MF from a deliberately bad start, the case tuning exists for.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    models: { type: 'string', default: 'mf,neumf' },
    trials: { type: 'string', default: '12' },
    users: { type: 'string', default: '400' },
    items: { type: 'string', default: '500' },
    seed: { type: 'string', default: '1' },
  },
});
const kinds = values.models.split(',').map((kind) => {
  if (!isModelKind(kind)) throw new Error(`--models: unknown model kind ${kind}`);
  return kind;
});
const trials = Number(values.trials);
const seed = Number(values.seed);
const started = performance.now();
const backend = await selectBackend({ preference: ['wasm', 'cpu'] });
const interactions = plantedSequences({ users: Number(values.users), items: Number(values.items), seed: seed + 10 });
const split = leaveLatestOut(interactions, { seed });

/** MF flags a user might start from: tiny factors, a crawling learning rate, one negative, three epochs. */
const BAD_START = { dim: 4, lr: 0.002, negatives: 1, epochs: 3, batch: 2048 };
const runs: { label: string; kind: ModelKind; overrides: Partial<NcfCliOptions> }[] = [
  ...kinds.map((kind) => ({ label: kind, kind, overrides: {} })),
  { label: 'mf_bad_start', kind: 'mf', overrides: BAD_START },
];

interface KindResult {
  label: string;
  kind: ModelKind;
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
    kind,
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

recordBenchmark({
  area: 'tune',
  args: process.argv.slice(2),
  figures: {
    backend,
    users: split.cases.length,
    trials_per_kind: trials,
    wall_s: round((performance.now() - started) / 1000, 1),
    ...Object.fromEntries(
      results.flatMap((r) => [
        [`${r.label}_default_hr_at_10`, round(r.defaultHr, 4)],
        [`${r.label}_tuned_hr_at_10`, round(r.tunedHr, 4)],
        [`${r.label}_gain_hr_at_10`, round(r.tunedHr - r.defaultHr, 4)],
        [`${r.label}_tuning_s`, round(r.tuningSeconds, 1)],
      ]),
    ),
  },
  structured: { settings: Object.fromEntries(results.map((r) => [r.label, r.settings])) },
  details: [
    '| model | trials | tuning s | validation HR@10 default / tuned | test HR@10 default / tuned | test NDCG@10 default / tuned | chosen settings |',
    '|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${r.trials} | ${r.tuningSeconds.toFixed(1)} | ${r.validationDefaultHr.toFixed(4)} / ${r.validationTunedHr.toFixed(4)} | ` +
        `${r.defaultHr.toFixed(4)} / ${r.tunedHr.toFixed(4)} | ${r.defaultNdcg.toFixed(4)} / ${r.tunedNdcg.toFixed(4)} | ` +
        `${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ')} |`,
    ),
    '',
    `- data: planted sequences (libs/models/testing), ${values.users} users x 30 interactions over ${values.items} items, NCF protocol (latest interaction per user as test, ranked among 99 sampled items); tuning scores the second-latest as validation.`,
    '- default: the ncf CLI defaults of each kind, trained as given; tuned: `--tune` with the trial count above (trial 0 is the defaults, with early stopping), then trained on all training interactions.',
    `- mf_bad_start: MF from \`${Object.entries(BAD_START).map(([k, v]) => `--${k} ${v}`).join(' ')}\` instead of the defaults, tuned the same way.`,
    '- times are wall-clock, on a machine that may be shared with other work (the load average above says how busy).',
  ],
});
