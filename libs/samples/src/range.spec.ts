import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATOR_CONFIG, generatorConfig } from './options.js';
import { checkRange, datasetVersionFor, scheduledRange } from './range.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 2, 4, 10, 37);

describe('ranges and versions', () => {
  it('ends a scheduled range an attribution window before now, on the alignment grid', () => {
    expect(scheduledRange(T, { lookbackMs: 24 * HOUR, alignMs: HOUR, attributionWindowMs: HOUR })).toEqual({
      from: Date.UTC(2026, 2, 3, 9),
      to: Date.UTC(2026, 2, 4, 9),
    });
  });

  it('names a version by range and config, short enough for a partition name', () => {
    const range = { from: Date.UTC(2026, 2, 1), to: Date.UTC(2026, 2, 4) };
    const version = datasetVersionFor(range, DEFAULT_GENERATOR_CONFIG);
    expect(version).toMatch(/^ds_20260301t000000z_20260304t000000z_[0-9a-f]{8}$/);
    expect(`sample_features_${version}`.length).toBeLessThanOrEqual(63);
    expect(datasetVersionFor(range, generatorConfig({ seed: 2 }))).not.toBe(version);
    expect(datasetVersionFor(range, generatorConfig())).toBe(version);
  });

  it('rejects empty ranges and configs without a test share, saying what to fix', () => {
    expect(() => checkRange({ from: T, to: T })).toThrow(/from < to/);
    expect(() => generatorConfig({ trainFraction: 0.9, validationFraction: 0.1 })).toThrow(/must leave a test share/);
  });
});
