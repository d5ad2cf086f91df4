import { describe, expect, it } from 'vitest';
import { ROW_SEPARATOR, encodeRow, rowSegment, rowSegments } from './rows.js';

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

  it('reads a missing row as no segments', () => {
    expect(rowSegments(null)).toEqual([]);
  });
});
