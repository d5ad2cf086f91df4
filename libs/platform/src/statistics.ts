/**
 * A/B test statistics at the level of the randomisation unit. Serving buckets
 * users, not exposures, and one user's exposures are correlated, so a CTR's
 * variance comes from per-user sums (clicks_u, exposures_u): the delta method
 * for a ratio of means (Deng et al., "Applying the Delta Method in Metric
 * Analytics", 2018). Per-exposure binomial or Wilson intervals are too narrow.
 */

/** z for a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** p-value under which users per variant are declared off their configured shares (Kohavi et al. use 0.001). */
export const SAMPLE_RATIO_THRESHOLD = 0.001;

/**
 * Sums over units (users) of a ratio metric's denominator x (exposures) and
 * numerator y (clicks): all the delta method needs, so SQL can aggregate them.
 */
export interface RatioMoments {
  units: number;
  /** Σ x_u */
  x: number;
  /** Σ y_u */
  y: number;
  /** Σ x_u² */
  xx: number;
  /** Σ y_u² */
  yy: number;
  /** Σ x_u y_u */
  xy: number;
}

/** An estimate with its standard error and confidence interval. */
export interface Estimate {
  rate: number;
  se: number;
  low: number;
  high: number;
}

/** The moments of per-unit (x, y) pairs, e.g. each user's exposures and clicks. */
export function ratioMoments(units: Iterable<{ x: number; y: number }>): RatioMoments {
  const m: RatioMoments = { units: 0, x: 0, y: 0, xx: 0, yy: 0, xy: 0 };
  for (const { x, y } of units) {
    m.units++;
    m.x += x;
    m.y += y;
    m.xx += x * x;
    m.yy += y * y;
    m.xy += x * y;
  }
  return m;
}

/**
 * Σy / Σx with its delta-method interval over units:
 * Var ≈ (s_yy − 2R s_xy + R² s_xx) / (n x̄²), with sample (co)variances.
 * A symmetric normal interval; it needs two units (unbounded with fewer)
 * and may dip below 0 when there are very few clicks.
 */
export function ratioInterval(m: RatioMoments, z = Z_95): Estimate {
  const n = m.units;
  const rate = m.x === 0 ? 0 : m.y / m.x;
  if (n < 2 || m.x === 0) return { rate, se: Infinity, low: -Infinity, high: Infinity };
  const meanX = m.x / n;
  const covariance = (sumAB: number, sumA: number, sumB: number) => (sumAB - (sumA * sumB) / n) / (n - 1);
  const variance = (covariance(m.yy, m.y, m.y) - 2 * rate * covariance(m.xy, m.x, m.y) + rate * rate * covariance(m.xx, m.x, m.x)) / (n * meanX * meanX);
  // Rounding can leave a true zero slightly negative.
  return withInterval(rate, Math.sqrt(Math.max(variance, 0)), z);
}

/** treatment − control, for independent groups of units (users bucketed into variants). */
export function differenceInterval(treatment: Estimate, control: Estimate, z = Z_95): Estimate {
  return withInterval(treatment.rate - control.rate, Math.hypot(treatment.se, control.se), z);
}

/**
 * treatment − control measured on the same requests (both arms' outcome known
 * for each pair, as in a simulation or a counterfactual replay): the mean
 * per-pair difference, with its interval over units because one unit's pairs
 * move together. `difference` is the unit's sum of per-pair differences over
 * its `pairs`. Between-unit variance cancels within a pair, so this is far
 * narrower than `differenceInterval` on the same units split into two arms.
 */
export function pairedDifferenceInterval(units: Iterable<{ pairs: number; difference: number }>, z = Z_95): Estimate {
  const pairs = [...units].map(({ pairs: x, difference: y }) => ({ x, y }));
  return ratioInterval(ratioMoments(pairs), z);
}

function withInterval(rate: number, se: number, z: number): Estimate {
  return { rate, se, low: rate - z * se, high: rate + z * se };
}

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  /** Probability of a split at least this far off the shares if bucketing works. */
  pValue: number;
  /** pValue under the threshold: bucketing or logging loses users of some variant; do not trust the comparison. */
  mismatch: boolean;
}

/** Pearson's chi-square test of units per variant against the variants' configured shares (normalised to sum to 1). */
export function sampleRatioMismatch(observed: readonly number[], shares: readonly number[], threshold = SAMPLE_RATIO_THRESHOLD): SampleRatioCheck {
  if (observed.length !== shares.length || observed.length < 2) throw new RangeError(`need one share per variant and two variants at least; got ${observed.length} counts and ${shares.length} shares`);
  const total = observed.reduce((sum, count) => sum + count, 0);
  const shareTotal = shares.reduce((sum, share) => sum + share, 0);
  const chiSquare = observed.reduce((sum, count, i) => {
    const expected = (total * shares[i]!) / shareTotal;
    return sum + (expected === 0 ? 0 : (count - expected) ** 2 / expected);
  }, 0);
  const degreesOfFreedom = observed.length - 1;
  const pValue = total === 0 ? 1 : upperRegularizedGamma(degreesOfFreedom / 2, chiSquare / 2);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold };
}

const EPSILON = 1e-15;
const MAX_ITERATIONS = 500;

/** Q(a, x) = Γ(a, x) / Γ(a): the chi-square survival function at 2x with 2a degrees of freedom (Numerical Recipes 6.2). */
function upperRegularizedGamma(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    // The series for P(a, x) converges fast here.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITERATIONS && Math.abs(term) > Math.abs(sum) * EPSILON; n++) sum += term *= x / (a + n);
    return 1 - sum * Math.exp(logPrefix);
  }
  // The continued fraction for Q(a, x), by the modified Lentz method.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return Math.exp(logPrefix) * h;
}

const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];

/** ln Γ(z) for z > 0, by the Lanczos approximation (g = 7). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const shifted = z - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}
