/** A rate with its confidence interval, e.g. a variant's CTR with its 95% Wilson interval. */
export interface RateInterval {
  rate: number;
  low: number;
  high: number;
}

/**
 * Interval for the difference `treatment.rate - control.rate` of two
 * independent proportions, from each one's Wilson interval (Newcombe 1998,
 * method 10). Unlike the plain Wald interval it stays inside [-1, 1] and
 * keeps its coverage for small counts and rates near 0, as CTRs are.
 */
export function differenceInterval(treatment: RateInterval, control: RateInterval): RateInterval {
  const difference = treatment.rate - control.rate;
  return {
    rate: difference,
    low: difference - Math.hypot(treatment.rate - treatment.low, control.high - control.rate),
    high: difference + Math.hypot(treatment.high - treatment.rate, control.rate - control.low),
  };
}
