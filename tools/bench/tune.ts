import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { caseBatch, evaluateRanking, hitAtK, leaveLatestOut, rankOf, selectBackend, type FeatureSpec, type NcfCase, type Scorer } from '@recstream/models';
import { isModelKind, type ModelKind } from '@recstream/schemas';
import type { TrainJobResult } from '@recstream/training';
import { featureSpecFor, optionsFor, type NcfCliOptions } from '../ncf/options.js';
import { trainAsGiven, tuneAndTrain } from '../ncf/run.js';
import { recordBenchmark, round } from './report.js';
import { benchTrialJobs, type TrialJobsResult } from './tune-jobs.js';
import { generatedMovieLens, movieLensFiles, plantedDataset, type BenchDataset } from './tune-data.js';

/**
 * Hyperparameter search through the ncf CLI's own paths: per data set and
 * model kind, the CLI defaults trained as given against the settings
 * `--tune` picks on validation, both ranked on the same test cases; and MF
 * from a deliberately bad start on planted data, the case tuning exists for.
 * Data: planted sequences and two generated MovieLens-format files, or with
 * `--data a,b` the MovieLens-format files given (real data sets). With
 * `--jobs`, the platform's search instead, its trials spread as BullMQ jobs
 * over trainer workers (tune-jobs.ts), in a section of its own.
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
    jobs: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    days: { type: 'string', default: '5' },
  },
});
const kinds = values.models.split(',').map((kind) => {
  if (!isModelKind(kind)) throw new Error(`--models: unknown model kind ${kind}`);
  return kind;
});
const trials = Number(values.trials);
const seed = Number(values.seed);
const sizes = { users: Number(values.users), items: Number(values.items), seed };

/** MF flags a user might start from: tiny factors, a crawling learning rate, one negative, three epochs. */
const BAD_START = { dim: 4, lr: 0.002, negatives: 1, epochs: 3, batch: 2048 };

/** Each test user's HR@10 (0 or 1), so a gain between two models on the same users gets a paired standard error. */
function userHits(scorer: Scorer, cases: readonly NcfCase[], spec: FeatureSpec): number[] {
  return cases.map((testCase) => hitAtK(rankOf(scorer.score(caseBatch(testCase, spec)), 0), 10));
}

/** Standard error of the mean of `values`, users as the unit. */
function standardError(values: readonly number[]): number {
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  return Math.sqrt(values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1) / values.length);
}

interface KindResult {
  label: string;
  users: number;
  defaultHr: number;
  tunedHr: number;
  /** Standard errors over test users: of the default's HR@10, and of the gain (paired, per user). */
  defaultHrSe: number;
  gainSe: number;
  defaultNdcg: number;
  tunedNdcg: number;
  validationDefaultHr: number;
  validationTunedHr: number;
  trials: number;
  tuningSeconds: number;
  settings: Record<string, number>;
}

/** The ncf CLI's paths in this process, per data set and model kind. */
async function inProcessBench(): Promise<void> {
  const started = performance.now();
  const backend = await selectBackend({ preference: ['wasm', 'cpu'] });
  const dir = mkdtempSync(join(tmpdir(), 'bench-tune-'));
  const datasets: BenchDataset[] = values.data
    ? await movieLensFiles(values.data.split(','))
    : [plantedDataset(sizes), ...(await generatedMovieLens(dir, sizes))];
  rmSync(dir, { recursive: true, force: true });

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
      const defaultHits = userHits(model, split.cases, spec);
      model.dispose();
      const run = await tuneAndTrain(o, split);
      const tunedHits = userHits(run.model, split.cases, run.spec);
      run.model.dispose();
      results.push({
        label,
        users: split.cases.length,
        defaultHr: defaults.hitRate,
        tunedHr: run.report.hitRate,
        defaultHrSe: standardError(defaultHits),
        gainSe: standardError(tunedHits.map((hit, user) => hit - defaultHits[user]!)),
        defaultNdcg: defaults.ndcg,
        tunedNdcg: run.report.ndcg,
        validationDefaultHr: run.tuning.baseline?.score ?? NaN,
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
          [`${r.label}_gain_hr_at_10_se`, round(r.gainSe, 4)],
          [`${r.label}_default_ndcg_at_10`, round(r.defaultNdcg, 4)],
          [`${r.label}_tuned_ndcg_at_10`, round(r.tunedNdcg, 4)],
          [`${r.label}_tuning_s`, round(r.tuningSeconds, 1)],
        ]),
      ),
    },
    structured: { settings: Object.fromEntries(results.map((r) => [r.label, r.settings])) },
    details: [
      '| data set and model | test users | trials | tuning s | validation HR@10 default / tuned | test HR@10 default (± se) / tuned | gain (± paired se) | test NDCG@10 default / tuned | chosen settings |',
      '|---|---|---|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.label} | ${r.users} | ${r.trials} | ${r.tuningSeconds.toFixed(1)} | ${r.validationDefaultHr.toFixed(4)} / ${r.validationTunedHr.toFixed(4)} | ` +
          `${r.defaultHr.toFixed(4)} (± ${r.defaultHrSe.toFixed(4)}) / ${r.tunedHr.toFixed(4)} | ${(r.tunedHr - r.defaultHr).toFixed(4)} (± ${r.gainSe.toFixed(4)}) | ` +
          `${r.defaultNdcg.toFixed(4)} / ${r.tunedNdcg.toFixed(4)} | ` +
          `${Object.entries(r.settings).map(([k, v]) => `${k}=${v}`).join(' ')} |`,
      ),
      '',
      '- protocol: NCF (latest interaction per user as test, ranked among 99 sampled items); tuning scores the second-latest as validation and never reads the test split.',
      ...datasets.map((dataset) => `- ${dataset.description}`),
      '- default: the ncf CLI defaults of each kind, trained as given; tuned: `--tune` with the trial count above, then trained on all training interactions for the epochs the chosen trial peaked at. Trial 0 is the defaults, trained at least their own epochs before early stopping may end it: the validation default column is its score at exactly those epochs, so tuned >= default on validation by construction.',
      '- se: standard error over test users; the gain\'s is paired (per user, tuned hit minus default hit), so a gain within about two of it is noise.',
      `- planted_mf_bad_start: MF from \`${Object.entries(BAD_START).map(([k, v]) => `--${k} ${v}`).join(' ')}\` instead of the defaults, tuned the same way.`,
      '- real data: `npm run bench:tune -- --data path/u.data,path/ratings.dat` reports the same per file; the project\'s own check runs it on held-out real MovieLens data sets that are not in the repo.',
      '- times are wall-clock, on a machine that may be shared with other work (the load average above says how busy).',
    ],
  });
}

/** `--jobs`: the platform's search spread out as trial jobs over `--workers` trainer workers, per model kind, on a synthetic world. */
async function trialJobsBench(): Promise<void> {
  const started = performance.now();
  const workers = Number(values.workers);
  const world = { users: sizes.users, items: sizes.items, categories: 20, days: Number(values.days), seed };
  const results: { kind: ModelKind; run: TrialJobsResult }[] = [];
  for (const kind of kinds) results.push({ kind, run: await benchTrialJobs({ model: kind, world, trials, workers }, (line) => console.error(`[bench:tune] ${line}`)) });
  const hr = (result: TrainJobResult) => result.metrics.hr_at_10!;
  recordBenchmark({
    area: 'tune',
    variant: 'jobs',
    args: process.argv.slice(2),
    figures: {
      trials_per_kind: trials,
      workers,
      wall_s: round((performance.now() - started) / 1000, 1),
      ...Object.fromEntries(
        results.flatMap(({ kind, run }) => [
          [`${kind}_default_hr_at_10`, round(hr(run.defaults), 4)],
          [`${kind}_tuned_hr_at_10`, round(hr(run.tuned), 4)],
          [`${kind}_gain_hr_at_10`, round(hr(run.tuned) - hr(run.defaults), 4)],
          [`${kind}_default_auc`, round(run.defaults.metrics.auc!, 4)],
          [`${kind}_tuned_auc`, round(run.tuned.metrics.auc!, 4)],
          [`${kind}_default_job_s`, round(run.defaultSeconds, 1)],
          [`${kind}_tuned_job_s`, round(run.tunedSeconds, 1)],
          [`${kind}_trial_jobs_per_worker`, run.trialJobsPerWorker.join(' / ')],
        ]),
      ),
    },
    structured: { settings: Object.fromEntries(results.map(({ kind, run }) => [kind, run.chosen])) },
    details: [
      '| model | test users | trials (trial jobs per worker) | job s default / tuned | validation AUC default / tuned | test HR@10 default (± se) / tuned | test AUC default / tuned | chosen settings |',
      '|---|---|---|---|---|---|---|---|',
      ...results.map(({ kind, run }) => {
        const users = run.defaults.metrics.ncf_users!;
        const se = Math.sqrt((hr(run.defaults) * (1 - hr(run.defaults))) / users);
        return (
          `| ${kind} | ${users} | ${run.trials} (${run.trialJobsPerWorker.join(' / ')}) | ${run.defaultSeconds.toFixed(1)} / ${run.tunedSeconds.toFixed(1)} | ` +
          `${run.defaults.metrics.validation_auc!.toFixed(4)} / ${run.tuned.metrics.validation_auc!.toFixed(4)} | ${hr(run.defaults).toFixed(4)} (± ${se.toFixed(4)}) / ${hr(run.tuned).toFixed(4)} | ` +
          `${run.defaults.metrics.auc!.toFixed(4)} / ${run.tuned.metrics.auc!.toFixed(4)} | ${Object.entries(run.chosen).map(([k, v]) => `${k}=${v}`).join(' ')} |`
        );
      }),
      '',
      `- data: a synthetic world (libs/synth) of ${world.users} users, ${world.items} items in ${world.categories} categories over ${world.days} days, as one dataset version (the sample generator's default splits), in a database of its own.`,
      `- default: a train job with the trainer's defaults; tuned: the same job with \`tune: { trials: ${trials} }\`, its trials added as BullMQ child jobs on the train queue and taken by ${workers} trainer workers (concurrency 1 each) in this process, then trained with the chosen settings. Job seconds run from adding the job to its result.`,
      '- the search scores validation AUC (trial 0 is the defaults); the validation and test figures are each job\'s own (its best epoch on validation, then the trainer\'s evaluation of the registered version on the test split). se: binomial standard error over test users.',
      '- both workers share this process, and the machine may be shared with other work (the load average above says how busy): two workers here show the trials spread, not a speed-up.',
    ],
  });
}

if (values.jobs) await trialJobsBench();
else await inProcessBench();
