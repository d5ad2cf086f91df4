import { describe, expect, it } from 'vitest';
import { ROW_SEPARATOR, decodeView, encodeRow, encodeView, rowSegment, rowSegments } from './rows.js';
import { itemAttributes, itemStats } from './views.js';

describe('feature rows', () => {
  it('puts each view in its segment, in the entity view order, empty where none is given', () => {
    const row = encodeRow('user', { user_profile: { attributes: { country: 'se' } }, user_activity: { last_active_ms: 5 } });
    expect(rowSegments(row)).toEqual(['{"last_active_ms":5}', '', '{"attributes":{"country":"se"}}']);
    expect(rowSegment('item', 'item_attributes')).toBe(1);
  });

  it('never lets a value contain the separator, so every row splits into its views', () => {
    const row = encodeRow('item', { item_attributes: { tags: [`a${ROW_SEPARATOR}b`, '\u0000'] } });
    expect(rowSegments(row)).toHaveLength(2);
    expect(JSON.parse(rowSegments(row)[1]!)).toEqual({ tags: [`a${ROW_SEPARATOR}b`, '\u0000'] });
  });

  it('refuses a view of another entity, naming the ones it has', () => {
    expect(() => encodeRow('item', { user_sequence: { items: [] } })).toThrow(/user_sequence is not a feature view of items; they have item_stats, item_attributes/);
  });

  it('writes item_stats as positional fields that read back as the same values, and a shorter array as defaults', () => {
    const stats = { impressions: { '1h': 1, '24h': 2, '7d': 3 }, clicks: { '1h': 4, '24h': 5, '7d': 6 }, conversions: { '1h': 7, '24h': 8, '7d': 9 }, ctr_24h: 0.25, ctr_7d: 0.125, trend: 1.5, rating_count: 2, rating_mean: 3.5 };
    const segment = encodeView(itemStats, stats);
    expect(segment).toBe('[1,2,3,4,5,6,7,8,9,0.25,0.125,1.5,2,3.5]');
    expect(decodeView(itemStats, segment)).toEqual(stats);
    // A row written before the rating fields were appended reads them as their defaults.
    expect(decodeView(itemStats, '[1,2,3,4,5,6,7,8,9,0.25,0.125,1.5]')).toEqual({ ...stats, rating_count: 0, rating_mean: 0 });
    expect(decodeView(itemStats, '[1,2,3]')).toEqual({ ...itemStats.defaults(), impressions: { '1h': 1, '24h': 2, '7d': 3 } });
  });

  it('fills a JSON view with its defaults for the fields a stored value lacks', () => {
    expect(decodeView(itemAttributes, '{"categories":["a"]}')).toEqual({ ...itemAttributes.defaults(), categories: ['a'] });
    expect(decodeView(itemAttributes, '')).toEqual(itemAttributes.defaults());
  });

  it('reads a missing row as no segments', () => {
    expect(rowSegments(null)).toEqual([]);
  });
});
