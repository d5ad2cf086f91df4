import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from './batch.js';
import { cross, encodeField, encodeRows, fitNumericBuckets, readsModelFeatures, type EncodableRow } from './encoding.js';

const T = Date.UTC(2026, 2, 1, 14, 30);
const row = (features: EncodableRow['features'], context: Record<string, unknown> = {}): EncodableRow => ({ userId: 'u1', itemId: 'i1', time: T, context, sequence: [], features });
const spec: FeatureSpec = {
  contextFields: ['device', 'hour', 'daypart', 'item_category', 'item_clicks_7d', cross('item_category', 'last_category')],
  historyLength: 0,
  numericBuckets: { item_clicks_7d: [1, 5, 20] },
};

describe('encodeField', () => {
  it('reads context, time-derived fields, model features and crosses', () => {
    const r = row({ item_category: 'c3', last_category: 'c2', item_clicks_7d: 7 }, { device: 'desktop' });
    expect(encodeField('device', r, spec)).toBe(1);
    expect(encodeField('hour', r, spec)).toBe(14);
    expect(encodeField('daypart', r, spec)).toBe(2);
    expect(encodeField('item_clicks_7d', r, spec)).toBe(2);
    expect(encodeField('item_category', r, spec)).toBe(encodeField('item_category', row({ item_category: 'c3' }), spec));
    expect(encodeField('item_category', r, spec)).not.toBe(encodeField('item_category', row({ item_category: 'c4' }), spec));
    const crossed = encodeField(cross('item_category', 'last_category'), r, spec);
    expect(crossed).toBeGreaterThanOrEqual(0);
    expect(crossed).not.toBe(encodeField(cross('item_category', 'last_category'), row({ item_category: 'c3', last_category: 'c4' }), spec));
  });

  it("derives hour, daypart and weekday as the request time's UTC Date would", () => {
    for (let i = 0; i < 500; i++) {
      const time = Math.floor((i / 500) * Date.UTC(2040, 0, 1)) + i * 7_919;
      const date = new Date(time);
      const at = { ...row(undefined), time };
      expect(encodeField('hour', at, spec)).toBe(date.getUTCHours());
      expect(encodeField('daypart', at, spec)).toBe(Math.floor(date.getUTCHours() / 6));
      expect(encodeField('weekday', at, spec)).toBe(date.getUTCDay());
    }
  });

  it('gives every combination of a cross its own id, and the same parts in another cross another id', () => {
    const categories = Array.from({ length: 60 }, (_, i) => `c${i}`);
    const ids = new Set<number>();
    for (const item_category of categories) {
      for (const last_category of categories) ids.add(encodeField(cross('item_category', 'last_category'), row({ item_category, last_category }), spec));
    }
    expect(ids.size).toBe(categories.length ** 2);
    const r = row({ item_category: 'c1', last_category: 'c2' });
    expect(encodeField(cross('item_category', 'last_category'), r, spec)).not.toBe(encodeField(cross('last_category', 'item_category'), r, spec));
  });

  it('reads a missing value, or a cross with a missing part, as unknown (-1)', () => {
    const r = row({ item_category: 'c3' });
    expect(encodeField('device', r, spec)).toBe(-1);
    expect(encodeField('item_clicks_7d', r, spec)).toBe(-1);
    expect(encodeField(cross('item_category', 'last_category'), r, spec)).toBe(-1);
  });

  it('refuses a numeric feature without buckets, saying how to fit them', () => {
    expect(() => encodeField('item_ctr_7d', row({ item_ctr_7d: 0.1 }), spec)).toThrow(/fitNumericBuckets/);
  });
});

describe('fitNumericBuckets', () => {
  it('gives the smallest value a bucket of its own and splits the rest evenly', () => {
    const values = [...Array<number>(60).fill(0), ...Array.from({ length: 40 }, (_, i) => i + 1)];
    const buckets = fitNumericBuckets({ contextFields: ['item_clicks_7d'], historyLength: 0 }, values.map((v) => row({ item_clicks_7d: v })), 5);
    expect(buckets).toEqual({ item_clicks_7d: [1, 11, 21, 31] });
  });

  it('fits only the numeric features the spec reads, crosses included', () => {
    const fitted = fitNumericBuckets({ contextFields: ['item_category', cross('item_ctr_7d', 'device')], historyLength: 0 }, [row({ item_ctr_7d: 0.2 }), row({ item_ctr_7d: 0.1 })]);
    expect(Object.keys(fitted)).toEqual(['item_ctr_7d']);
  });
});

describe('encodeRows', () => {
  it('builds one column per field, in spec order', () => {
    const batch = encodeRows(spec, [row({ item_clicks_7d: 0 }, { device: 'mobile' }), row({ item_clicks_7d: 30 })]);
    expect(batch.context!.map((column) => [...column])).toEqual(spec.contextFields.map((field) => [encodeField(field, row({ item_clicks_7d: 0 }, { device: 'mobile' }), spec), encodeField(field, row({ item_clicks_7d: 30 }), spec)]));
    expect(readsModelFeatures(spec)).toBe(true);
    expect(readsModelFeatures({ contextFields: ['device'], historyLength: 0 })).toBe(false);
  });

  it('encodes every row as alone through runs of repeated values, as in a batch of candidates for one user', () => {
    const context = { device: 'mobile' };
    const rows = Array.from({ length: 40 }, (_, i): EncodableRow => ({
      ...row({ item_category: `c${Math.floor(i / 3) % 4}`, last_category: i < 20 ? 'c2' : 'c3', item_clicks_7d: i % 5 === 0 ? undefined : i % 7 }, i % 9 === 0 ? { device: 'desktop' } : context),
      userId: i < 30 ? 'u1' : 'u2',
      itemId: `i${i}`,
      time: T + Math.floor(i / 10) * 3_600_000,
    }));
    const batch = encodeRows(spec, rows);
    expect([...batch.userIds]).toEqual(rows.map((r) => encodeRows(spec, [r]).userIds[0]));
    expect(batch.context!.map((column) => [...column])).toEqual(spec.contextFields.map((field) => rows.map((r) => encodeField(field, r, spec))));
  });
});
