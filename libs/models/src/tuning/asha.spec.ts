import { describe, expect, it } from 'vitest';
import { AshaPruner } from './asha.js';

describe('AshaPruner', () => {
  it('places rungs at minEpochs * eta^k', () => {
    const pruner = new AshaPruner({ minEpochs: 2, reductionFactor: 3 });
    expect([1, 2, 3, 6, 12, 18, 54].map((e) => pruner.isRung(e))).toEqual([false, true, false, true, false, true, true]);
  });

  it('promotes every trial until a rung holds eta values, then the top 1/eta', () => {
    const pruner = new AshaPruner({ minEpochs: 1, reductionFactor: 3 });
    expect(pruner.promote(1, 0.5)).toBe(true); // alone
    expect(pruner.promote(1, 0.4)).toBe(true); // 2 values: too few to judge
    expect(pruner.promote(1, 0.45)).toBe(false); // 3 values: top 1 only
    expect(pruner.promote(1, 0.6)).toBe(true);
    expect(pruner.promote(1, 0.55)).toBe(false); // 5 values: top 1 is 0.6
    expect(pruner.promote(1, 0.58)).toBe(true); // 6 values: top 2 are 0.6 and 0.58
    // Rungs keep separate records.
    expect(pruner.promote(3, 0.1)).toBe(true);
  });

  it('refuses a reduction factor below 2', () => {
    expect(() => new AshaPruner({ minEpochs: 1, reductionFactor: 1 })).toThrow(RangeError);
  });
});
