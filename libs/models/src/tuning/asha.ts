export interface AshaOptions {
  /** Epochs of the first rung (r in the ASHA paper). */
  minEpochs: number;
  /** Rungs lie at minEpochs * eta^k and about 1/eta of the trials reaching one go on (eta). */
  reductionFactor: number;
}

/**
 * Asynchronous successive halving (Li et al. 2020, "A System for Massively
 * Parallel Hyperparameter Tuning"), as Optuna's SuccessiveHalvingPruner
 * applies it: a trial that reaches a rung goes on only if its value is among
 * the top 1/eta of all values recorded at that rung so far, itself included.
 * Until a rung holds eta values every trial passes it (Optuna's
 * bootstrap_count): a sequential search cannot pause the first trials and
 * promote them later, and judging them against one or two others would
 * prune on noise. Higher values are better.
 */
export class AshaPruner {
  private readonly rungs = new Map<number, number[]>();

  constructor(private readonly options: AshaOptions) {
    if (!(options.minEpochs >= 1) || !(options.reductionFactor >= 2)) {
      throw new RangeError(`ASHA needs minEpochs >= 1 and reductionFactor >= 2, got ${options.minEpochs} and ${options.reductionFactor}`);
    }
  }

  /** Whether a trial that has trained `epochs` epochs stands at a rung. */
  isRung(epochs: number): boolean {
    for (let rung = this.options.minEpochs; rung <= epochs; rung *= this.options.reductionFactor) if (rung === epochs) return true;
    return false;
  }

  /** Records `value` at the rung of `epochs` and says whether the trial goes on. */
  promote(epochs: number, value: number): boolean {
    const values = this.rungs.get(epochs) ?? [];
    values.push(value);
    this.rungs.set(epochs, values);
    if (values.length < this.options.reductionFactor) return true;
    const promotable = Math.floor(values.length / this.options.reductionFactor);
    const threshold = [...values].sort((a, b) => b - a)[promotable - 1]!;
    return value >= threshold;
  }
}
