import type { FeatureSpec } from '../batch.js';
import type { Interaction } from '../data/interactions.js';
import { evaluateRanking, leaveLatestOut, type NcfSplit, type RankingReport } from '../eval/ncf-protocol.js';
import type { ModelKind, RecModel } from '../model.js';
import { createModel } from '../models/factory.js';
import { fit, type FitOptions } from '../training/fit.js';
import { splitSettings, type Settings } from './search-space.js';
import { SEARCH_SPACES } from './search-spaces.js';
import { tune, type TrialRunner, type TuneOptions, type TuningResult } from './study.js';

/**
 * Tunes `kind` on NCF-protocol data without reading the test split: it is
 * given only the training interactions, holds out each user's latest one of
 * those (the second-latest overall) as validation, and ranks each against 99
 * sampled items as the test protocol does. Trials score HR@10, NDCG@10 breaking ties.
 * `base` holds the settings trial 0 trains (model config and fit keys).
 */
export async function tuneNcf(
  kind: ModelKind,
  train: Interaction[],
  spec: FeatureSpec,
  base: Settings,
  options: Partial<TuneOptions> = {},
): Promise<TuningResult> {
  const seed = options.seed ?? 1;
  const validation = leaveLatestOut(train, { seed });
  const space = SEARCH_SPACES[kind];
  return tune(space, base, (settings) => ncfTrial(kind, validation, spec, settings, seed), options);
}

/** The spec a trial's settings ask for: their history length, when they set one. */
export function specWithSettings(spec: FeatureSpec, settings: Settings): FeatureSpec {
  const { historyLength } = splitSettings(settings);
  return historyLength === undefined ? spec : { ...spec, historyLength };
}

function ncfTrial(kind: ModelKind, validation: ReturnType<typeof leaveLatestOut>, baseSpec: FeatureSpec, settings: Settings, seed: number): TrialRunner {
  const { config, fit: fitSettings } = splitSettings(settings);
  const spec = specWithSettings(baseSpec, settings);
  const model = createModel(kind, spec, { ...config, seed });
  let epoch = 0;
  return {
    async epoch() {
      // fit seeds epoch e with seed + e, so epoch-at-a-time training matches one multi-epoch fit.
      await fit(model, validation.train, spec, { ...fitSettings, epochs: 1, seed: seed + epoch });
      epoch++;
      const report = evaluateRanking(model, validation.cases, spec);
      return { score: report.hitRate, secondary: report.ndcg };
    },
    dispose: () => model.dispose(),
  };
}

export interface NcfTunedRun {
  tuning: TuningResult;
  /** Trained on all training interactions with the chosen settings; the caller disposes it. */
  model: RecModel;
  /** The spec the model reads (the chosen history length). */
  spec: FeatureSpec;
  /** The test split's figures. */
  report: RankingReport;
}

/**
 * The `--tune` path of the NCF protocol: tunes on `split.train` alone, trains
 * a fresh model on all of it with the chosen settings, and only then ranks the
 * test cases. `fitCallbacks` gets the chosen settings and reports the final training's progress.
 */
export async function tuneTrainAndTest(
  kind: ModelKind,
  split: NcfSplit,
  baseSpec: FeatureSpec,
  base: Settings,
  options: Partial<TuneOptions> = {},
  fitCallbacks: (chosen: Settings) => Pick<FitOptions, 'onBatch' | 'onEpoch'> = () => ({}),
): Promise<NcfTunedRun> {
  const tuning = await tuneNcf(kind, split.train, baseSpec, base, options);
  const seed = options.seed ?? 1;
  const { config, fit: fitSettings } = splitSettings(tuning.chosen);
  const spec = specWithSettings(baseSpec, tuning.chosen);
  const model = createModel(kind, spec, { ...config, seed });
  await fit(model, split.train, spec, { ...fitSettings, ...fitCallbacks(tuning.chosen), seed });
  return { tuning, model, spec, report: evaluateRanking(model, split.cases, spec) };
}
