import { checkSearchSpace, type SearchSpace, type Settings } from './search-space.js';
import { baseEpochsIn, compareTrials, drawTrialSettings, tuningResult, type TrialRecord, type TuningResult } from './study.js';

export interface HalvingOptions {
  /** Trials in the first rung; trial 0 trains the base settings. */
  trials: number;
  /** Seeds the draws of settings. */
  seed: number;
  /** Epochs of the first rung. */
  minEpochs: number;
  /** Rungs lie at minEpochs * eta^k (the last at the space's maxEpochs) and the best 1/eta of a rung go on (eta). */
  reductionFactor: number;
}

/** One trial to train from scratch for `epochs` epochs: the unit of work a trial job carries. */
export interface TrialRequest {
  trial: number;
  rung: number;
  epochs: number;
  settings: Settings;
}

/** What training a request gave; `early-stopped` by patience, `cut` by the time budget, else `completed`. */
export interface TrialReport {
  trial: number;
  rung: number;
  score: number;
  secondary: number;
  bestEpochs: number;
  epochs: number;
  outcome: 'completed' | 'early-stopped' | 'cut';
  seconds: number;
}

/** Either the requests still missing a report, or the search's result. */
export type HalvingStep = { pending: TrialRequest[] } | { result: TuningResult };

/**
 * Successive halving with a barrier at each rung (Jamieson & Talwalkar
 * 2016; ASHA's rule applied to a complete rung): every trial trains
 * minEpochs, the best 1/eta of those that completed train the next rung's
 * epochs, and so on up to maxEpochs. Trial 0 (the base settings) goes on
 * until a rung covers the base's epochs, so the base as given is scored and,
 * unless the budget stops the search first, the choice is never worse than it on validation. A rung is judged only once all its
 * reports are in, so the choice depends on the reports alone, never on how
 * many workers trained them or in which order they finished. Each request
 * trains from scratch (trials are deterministic given their settings and
 * seed), so a retried or re-sent request gives the same report.
 */
export class SuccessiveHalving {
  /** Epochs of each rung. */
  readonly rungs: readonly number[];
  /** Each trial's settings. */
  readonly settings: readonly Settings[];
  private readonly baseEpochs: number;

  constructor(
    space: SearchSpace,
    private readonly base: Settings,
    private readonly options: HalvingOptions,
  ) {
    checkSearchSpace(space);
    if (!(options.trials >= 1)) throw new RangeError(`successive halving needs at least one trial, got ${options.trials}`);
    if (!(options.minEpochs >= 1) || !(options.reductionFactor >= 2)) {
      throw new RangeError(`successive halving needs minEpochs >= 1 and reductionFactor >= 2, got ${options.minEpochs} and ${options.reductionFactor}`);
    }
    const rungs: number[] = [];
    for (let epochs = options.minEpochs; epochs < space.maxEpochs; epochs *= options.reductionFactor) rungs.push(epochs);
    this.rungs = [...rungs, space.maxEpochs];
    this.baseEpochs = baseEpochsIn(space, base);
    const draws = drawTrialSettings(space, base, options.seed);
    this.settings = Array.from({ length: options.trials }, () => draws.next().value);
  }

  /**
   * The next step given the reports so far (any order, duplicates of one
   * request ignored). With `stop` (the time budget spent), no further rung starts.
   */
  step(reports: readonly TrialReport[], stop = false): HalvingStep {
    const byRequest = new Map(reports.map((report) => [`${report.trial}/${report.rung}`, report]));
    const reached = new Map<number, TrialReport[]>();
    let trials = this.settings.map((_settings, trial) => trial);
    for (let rung = 0; rung < this.rungs.length; rung++) {
      const requests = trials.map((trial) => ({ trial, rung, epochs: this.rungs[rung]!, settings: this.settings[trial]! }));
      const missing = requests.filter((request) => !byRequest.has(`${request.trial}/${rung}`));
      if (missing.length > 0) return { pending: missing };
      const rungReports = trials.map((trial) => byRequest.get(`${trial}/${rung}`)!);
      for (const report of rungReports) reached.set(report.trial, [...(reached.get(report.trial) ?? []), report]);
      if (stop || rung === this.rungs.length - 1) break;
      const promoted = Math.max(1, Math.floor(rungReports.length / this.options.reductionFactor));
      const completed = rungReports.filter((report) => report.outcome === 'completed');
      trials = completed
        .map((report) => this.record(report, []))
        .sort(compareTrials)
        .slice(0, promoted)
        .map((record) => record.trial);
      const baseGoesOn = this.rungs[rung]! < this.baseEpochs && completed.some((report) => report.trial === 0);
      if (baseGoesOn && !trials.includes(0)) trials = [0, ...trials];
      if (trials.length === 0) break;
    }
    const last = this.rungs.length - 1;
    const records = [...reached.values()].map((runs) => {
      const final = runs.at(-1)!;
      const record = this.record(final, runs);
      if (final.outcome === 'completed' && final.rung < last && !stop) record.outcome = 'pruned';
      return record;
    });
    records.sort((a, b) => a.trial - b.trial);
    const seconds = records.reduce((sum, record) => sum + record.seconds, 0);
    return { result: tuningResult(this.base, records, seconds) };
  }

  /** A report as a trial record; its seconds are those of all its rungs' runs. */
  private record(report: TrialReport, runs: readonly TrialReport[]): TrialRecord {
    const { trial, score, secondary, bestEpochs, epochs, outcome } = report;
    return { trial, score, secondary, bestEpochs, epochs, outcome, settings: this.settings[trial]!, seconds: runs.reduce((sum, run) => sum + run.seconds, 0) };
  }
}
