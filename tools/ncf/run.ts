import {
  createModel,
  fit,
  neuMfFromPretrained,
  NeuMfModel,
  trialTable,
  tuneTrainAndTest,
  type FeatureSpec,
  type FitOptions,
  type NcfSplit,
  type NcfTunedRun,
  type RecModel,
  type TrialRecord,
} from '@recstream/models';
import { featureSpecFor, modelConfigFor, settingsFor, type NcfCliOptions } from './options.js';

type FitCallbacks = Pick<FitOptions, 'onBatch' | 'onEpoch'>;

/** Progress of one training on stderr: a bar redrawn at most every half second, a line per epoch. */
export function fitProgress(label: string, epochs: number, perEpoch: number): FitCallbacks {
  let lastDraw = 0;
  return {
    onBatch: ({ epoch, samples }) => {
      const now = performance.now();
      if (now - lastDraw < 500) return;
      lastDraw = now;
      const share = Math.min(samples / perEpoch, 1);
      const bar = '#'.repeat(Math.round(share * 30)).padEnd(30, '.');
      process.stderr.write(`\r${label} epoch ${epoch + 1} [${bar}] ${Math.round(share * 100)}%`);
    },
    onEpoch: ({ epoch, loss, samples, seconds }) =>
      process.stderr.write(`\r\x1b[K${label} epoch ${epoch + 1}/${epochs}: loss ${loss.toFixed(4)}, ${Math.round(samples / seconds)} samples/s\n`),
  };
}

/** Trains `o.model` with the settings as given (NeuMF's pretraining included): the untuned path. */
export async function trainAsGiven(o: NcfCliOptions, split: NcfSplit, spec: FeatureSpec): Promise<RecModel> {
  const config = modelConfigFor(o);
  const fitOptions = (label: string, epochs: number): Partial<FitOptions> => ({
    epochs,
    batchSize: o.batch,
    negatives: o.negatives,
    seed: o.seed,
    ...fitProgress(label, epochs, split.train.length * (1 + o.negatives)),
  });
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
  const model = createModel(o.model, spec, config);
  await fit(model, split.train, spec, fitOptions(o.model, o.epochs));
  return model;
}

/**
 * Tunes `o.model` on validation data cut from `split.train` (the options are
 * trial 0), trains on all of `split.train` with the chosen settings and ranks
 * the test cases. Progress goes to stderr, the trial table to stdout.
 */
export async function tuneAndTrain(o: NcfCliOptions, split: NcfSplit, budgetS = o.budgetS): Promise<NcfTunedRun> {
  if (o.pretrainEpochs > 0) console.error(`${o.model}: tuning trains without pretraining; --pretrain-epochs is ignored`);
  const trials = o.trials ?? Number.MAX_SAFE_INTEGER;
  console.error(`tuning ${o.model}: ${o.trials === undefined ? `${budgetS} s budget` : `${trials} trials`}, scored on validation HR@10`);
  const run = await tuneTrainAndTest(
    o.model,
    split,
    featureSpecFor(o),
    settingsFor(o),
    {
      trials,
      budgetS,
      seed: o.seed,
      onTrial: (t) => console.error(`${o.model} trial ${t.trial}: ${describeTrial(t)}`),
    },
    (chosen) => fitProgress(o.model, chosen.epochs!, split.train.length * (1 + (chosen.negatives ?? o.negatives))),
  );
  console.log(`\n${o.model}: ${run.tuning.trials.length} trials in ${run.tuning.seconds.toFixed(1)} s, validation HR@10 / NDCG@10, best first`);
  console.log(trialTable(run.tuning, 'HR@10', 'NDCG@10').join('\n'));
  return run;
}

function describeTrial(t: TrialRecord): string {
  const settings = Object.entries(t.settings).map(([key, value]) => `${key}=${value}`).join(' ');
  return `HR@10 ${t.score.toFixed(4)} NDCG@10 ${t.secondary.toFixed(4)} (best epoch ${t.bestEpochs}/${t.epochs}, ${t.outcome}, ${t.seconds.toFixed(1)} s) ${settings}`;
}

/** The tuning's share of the JSON result: chosen settings, validation figures and the whole trial log. */
export function tuningFigures(run: NcfTunedRun): Record<string, unknown> {
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    tuned: true,
    settings: run.tuning.chosen,
    validation_hr_at_10: round(run.tuning.best.score),
    validation_ndcg_at_10: round(run.tuning.best.secondary),
    trials: run.tuning.trials.length,
    tuning_seconds: round(run.tuning.seconds),
    trial_log: run.tuning.trials.map((t) => ({
      trial: t.trial,
      settings: t.settings,
      validation_hr_at_10: round(t.score),
      validation_ndcg_at_10: round(t.secondary),
      best_epoch: t.bestEpochs,
      epochs: t.epochs,
      outcome: t.outcome,
      seconds: round(t.seconds),
    })),
  };
}
