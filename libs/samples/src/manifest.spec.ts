import { describe, expect, it } from 'vitest';
import { DEFAULT_COVERAGE_WARNING_BELOW, lowCoverage } from './manifest.js';

describe('lowCoverage', () => {
  const manifest = { featureCoverage: { user_activity: 0.004, item_stats: 0.6, user_sequence: 0.95, user_profile: 0 } };

  it('lists the views below the threshold, lowest first', () => {
    expect(DEFAULT_COVERAGE_WARNING_BELOW).toBe(0.5);
    expect(lowCoverage(manifest)).toEqual([
      { view: 'user_profile', coverage: 0 },
      { view: 'user_activity', coverage: 0.004 },
    ]);
    expect(lowCoverage(manifest, 0.9).map((low) => low.view)).toEqual(['user_profile', 'user_activity', 'item_stats']);
    expect(lowCoverage(manifest, 0)).toEqual([]);
  });
});
