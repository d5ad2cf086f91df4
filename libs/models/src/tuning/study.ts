import { createRandom } from '../random.js';
import { AshaPruner } from './asha.js';
import { checkSearchSpace, sampleSettings, type SearchSpace, type Settings } from './search-space.js';

/** Validation figures after an epoch; `score` ranks trials and `secondary` breaks ties (HR@10 and NDCG@10 for top-K). */
export interface ValidationScore {
  score: number;
  secondary: number;
}

/** One trial's model as the search drives it, an epoch at a time. */
export interface TrialRunner {
  /** Trains one more epoch and scores the model on validation data. */
  epoch(): Promise<ValidationScore>;
  dispose(): void;
}

export type TrialOutcome = 'completed' | 'early-stopped' | 'pruned' | 'cut';

export interface TrialRecord {
  trial: number;
  settings: Settings;
  /** The best validation figures the trial reached, and after how many epochs. */
  score: number;
  secondary: number;
  bestEpochs: number;
  /** Epochs trained before it ended. */
  epochs: number;
  /** `pruned` by successive halving, `early-stopped` by patience, `cut` by the time budget. */
  outcome: TrialOutcome;
  seconds: number;
}

export interface TuneOptions {
  /** Trials at most; trial 0 trains the base settings for at least their epochs, so the search never picks worse than them on validation. */
  trials: number;
  /** Wall-clock budget: no trial starts after it and a running one is cut at its next epoch (trial 0 not before the base's epochs). Runs under it are not reproducible. */
  budgetS?: number;
  /** Seeds the draws of settings (models take theirs from the objective). */
  seed: number;
  /** Epochs without a better validation score before a trial stops. */
  patience: number;
  minEpochs: number;
  reductionFactor: number;
  onTrial?: (record: TrialRecord) => void;
  /** Milliseconds; injectable so a budget can be tested without waiting. */
  clock?: () => number;
}

export const DEFAULT_TUNE_OPTIONS: TuneOptions = { trials: 20, seed: 1, patience: 3, minEpochs: 2, reductionFactor: 3 };

export interface TuningResult {
  /** The best trial's settings with `epochs` set to where it peaked: what the final model trains with. */
  chosen: Settings;
  best: TrialRecord;
  /** The base settings' validation figures at their own epoch count (trial 0 there); absent where the base sets no epochs or the search did not score them. */
  baseline?: ValidationScore;
  /** Every trial, in the order run. */
  trials: TrialRecord[];
  seconds: number;
}

/** Better validation score first, then the tie-breaker, then the earlier trial. */
export function compareTrials(a: TrialRecord, b: TrialRecord): number {
  return b.score - a.score || b.secondary - a.secondary || a.trial - b.trial;
}

/**
 * Random search with asynchronous successive halving over `space`, starting
 * from `base`: each trial trains epoch by epoch up to `space.maxEpochs`,
 * keeps its best validation score (early stopping with `patience`), and
 * at each rung is pruned unless among the best 1/eta so far. Trial 0 trains
 * `base` and is neither stopped, pruned nor cut before `base.epochs`, so the
 * base as given is scored and the choice is never worse than it on
 * validation. `start` builds a trial's model from its settings; it must
 * score validation data only.
 */
export async function tune(
  space: SearchSpace,
  base: Settings,
  start: (settings: Settings, trial: number) => TrialRunner | Promise<TrialRunner>,
  options: Partial<TuneOptions> = {},
): Promise<TuningResult> {
  const o = { ...DEFAULT_TUNE_OPTIONS, ...options };
  checkSearchSpace(space);
  if (!(o.trials >= 1)) throw new RangeError(`tuning needs at least one trial, got ${o.trials}`);
  const clock = o.clock ?? (() => performance.now());
  const began = clock();
  const overBudget = () => o.budgetS !== undefined && clock() - began >= o.budgetS * 1000;
  const pruner = new AshaPruner(o);
  const draws = drawTrialSettings(space, base, o.seed);
  const baseEpochs = baseEpochsIn(space, base);
  const trials: TrialRecord[] = [];
  let baseline: ValidationScore | undefined;
  for (let trial = 0; trial < o.trials && !(trial > 0 && overBudget()); trial++) {
    const settings = draws.next().value;
    const record = await runTrial(trial, settings, await start(settings, trial));
    trials.push(record);
    o.onTrial?.(record);
  }
  return { ...tuningResult(base, trials, (clock() - began) / 1000), ...(baseline && { baseline }) };

  async function runTrial(trial: number, settings: Settings, runner: TrialRunner): Promise<TrialRecord> {
    const started = clock();
    const record: TrialRecord = { trial, settings, score: -Infinity, secondary: -Infinity, bestEpochs: 0, epochs: 0, outcome: 'completed', seconds: 0 };
    const floor = trial === 0 ? baseEpochs : 0;
    try {
      while (record.epochs < space.maxEpochs) {
        const figures = await runner.epoch();
        record.epochs++;
        if (figures.score > record.score || (figures.score === record.score && figures.secondary > record.secondary)) {
          Object.assign(record, figures, { bestEpochs: record.epochs });
        }
        if (trial === 0 && record.epochs === baseEpochs) baseline = figures;
        if (record.epochs >= space.maxEpochs) break;
        // The rung records every trial's score, the base's too, even where its verdict does not apply.
        const promoted = !pruner.isRung(record.epochs) || pruner.promote(record.epochs, record.score);
        if (record.epochs < floor) continue;
        if (record.epochs - record.bestEpochs >= o.patience) record.outcome = 'early-stopped';
        else if (!promoted) record.outcome = 'pruned';
        else if (overBudget()) record.outcome = 'cut';
        if (record.outcome !== 'completed') break;
      }
    } finally {
      runner.dispose();
    }
    record.seconds = (clock() - started) / 1000;
    return record;
  }
}

/** The epochs the base settings train, as far as the space allows; 0 where they set none. */
export function baseEpochsIn(space: SearchSpace, base: Settings): number {
  return Math.min(base.epochs ?? 0, space.maxEpochs);
}

/**
 * Each trial's settings in turn, the same for every search method with the
 * same seed: trial 0 trains `base`, the others draw from `space`. Trials
 * train up to maxEpochs and early stopping finds their epochs, so the base's
 * fixed count is dropped.
 */
export function* drawTrialSettings(space: SearchSpace, base: Settings, seed: number): Generator<Settings, never> {
  const random = createRandom(seed);
  const defaults = { ...base };
  delete defaults.epochs;
  for (let trial = 0; ; trial++) {
    // Drawn even for trial 0, so trial k's settings do not depend on whether the base trial ran.
    const drawn = sampleSettings(space, defaults, random);
    yield trial === 0 ? defaults : drawn;
  }
}

/**
 * The search's outcome: the best trial's settings with `epochs` set to where
 * it peaked; when no trial finished an epoch (all cut by the budget), `base` as given.
 */
export function tuningResult(base: Settings, trials: TrialRecord[], seconds: number): TuningResult {
  const best = [...trials].sort(compareTrials)[0]!;
  const chosen = best.bestEpochs > 0 ? { ...best.settings, epochs: best.bestEpochs } : { ...base };
  return { chosen, best, trials, seconds };
}

/** The trials as a markdown table, best first. */
export function trialTable(result: TuningResult, scoreName = 'score', secondaryName = 'secondary'): string[] {
  const keys = [...new Set(result.trials.flatMap((t) => Object.keys(t.settings)))];
  const lines = [
    `| trial | ${scoreName} | ${secondaryName} | best epoch | epochs | outcome | seconds | ${keys.join(' | ')} |`,
    `|${'---|'.repeat(7 + keys.length)}`,
  ];
  for (const t of [...result.trials].sort(compareTrials)) {
    const figures = [t.trial, t.score.toFixed(4), t.secondary.toFixed(4), t.bestEpochs, t.epochs, t.outcome, t.seconds.toFixed(1)];
    lines.push(`| ${[...figures, ...keys.map((key) => t.settings[key] ?? '')].join(' | ')} |`);
  }
  return lines;
}
