import { describe, expect, it } from 'vitest';
import { decidePromotion } from './gate.js';

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
});
