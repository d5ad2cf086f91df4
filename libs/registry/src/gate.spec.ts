import { describe, expect, it } from 'vitest';
import { DEFAULT_GATES, decidePromotion } from './gate.js';

const gate = { metric: 'hr_at_10', margin: 0.01, higherIsBetter: true };

describe('decidePromotion', () => {
  it('promotes the first version of a role', () => {
    expect(decidePromotion(gate, 0.2, undefined).promoted).toBe(true);
  });
  it('needs the full margin', () => {
    expect(decidePromotion(gate, 0.509, 0.5).promoted).toBe(false);
    expect(decidePromotion(gate, 0.511, 0.5)).toEqual({ promoted: true, reason: expect.stringContaining('gain 0.0110') });
  });
  it('respects lower-is-better metrics', () => {
    const logloss = { metric: 'logloss', margin: 0.01, higherIsBetter: false };
    expect(decidePromotion(logloss, 0.3, 0.32).promoted).toBe(true);
    expect(decidePromotion(logloss, 0.32, 0.3).promoted).toBe(false);
  });
  it('never promotes a broken evaluation', () => {
    expect(decidePromotion(gate, Number.NaN, undefined).promoted).toBe(false);
  });
  it('never promotes on a non-finite metric, first version or not', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(decidePromotion(gate, value, undefined)).toEqual({ promoted: false, reason: expect.stringContaining(`is ${value}`) });
      expect(decidePromotion(gate, value, 0.1).promoted).toBe(false);
    }
    // A finite candidate against an incumbent that scored NaN on the same cases: the comparison itself is broken.
    expect(decidePromotion(gate, 0.9, Number.NaN)).toEqual({ promoted: false, reason: expect.stringContaining('production hr_at_10 is NaN') });
  });
  it('never promotes on an empty evaluation', () => {
    const counted = DEFAULT_GATES.recall;
    expect(decidePromotion(counted, 0.4, undefined, 120).promoted).toBe(true);
    expect(decidePromotion(counted, 0, undefined, 0)).toEqual({ promoted: false, reason: expect.stringContaining('evaluated on 0 cases (ncf_users)') });
    expect(decidePromotion(counted, 0.4, undefined, undefined).promoted).toBe(false);
    expect(decidePromotion(counted, 0.4, undefined, Number.NaN).promoted).toBe(false);
    expect(decidePromotion(DEFAULT_GATES.ranking, 0.7, 0.6, 0).promoted).toBe(false);
  });
});
