import { Random } from '@recstream/synth';

/** One user's totals in a variant: exposures, and an outcome summed over them (clicks, or expected clicks). */
export interface UserTotals {
  exposures: number;
  outcome: number;
}

export interface DifferenceInterval {
  difference: number;
  low: number;
  high: number;
}

export interface BootstrapOptions {
  resamples: number;
  /** Two-sided coverage of the interval. */
  confidence: number;
  seed: number;
}

export const DEFAULT_BOOTSTRAP_OPTIONS: BootstrapOptions = { resamples: 2_000, confidence: 0.95, seed: 1 };

/**
 * The treatment's rate (outcome over exposures) minus the control's, with
 * a percentile interval from resampling users with replacement within each
 * variant. A user's exposures move together, so the interval is as wide as
 * the spread between users makes it, where a per-exposure interval would
 * be too narrow. The benches' stand-in for the platform's user-level A/B
 * statistics (delta method): a caller passes the same per-user totals.
 */
export function userBootstrapDifference(
  treatment: readonly UserTotals[],
  control: readonly UserTotals[],
  options: Partial<BootstrapOptions> = {},
): DifferenceInterval {
  const { resamples, confidence, seed } = { ...DEFAULT_BOOTSTRAP_OPTIONS, ...options };
  if (treatment.length === 0 || control.length === 0) throw new Error('each variant needs at least one user with exposures');
  const random = new Random(seed);
  const resampledRate = (users: readonly UserTotals[]) => {
    let exposures = 0;
    let outcome = 0;
    for (let n = 0; n < users.length; n++) {
      const user = users[random.int(users.length)]!;
      exposures += user.exposures;
      outcome += user.outcome;
    }
    return outcome / Math.max(1, exposures);
  };
  const differences = Float64Array.from({ length: resamples }, () => resampledRate(treatment) - resampledRate(control)).sort();
  const quantile = (q: number) => differences[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))]!;
  return { difference: rate(treatment) - rate(control), low: quantile((1 - confidence) / 2), high: quantile(1 - (1 - confidence) / 2) };
}

function rate(users: readonly UserTotals[]): number {
  const exposures = users.reduce((sum, user) => sum + user.exposures, 0);
  return users.reduce((sum, user) => sum + user.outcome, 0) / Math.max(1, exposures);
}
