import { describe, expect, it } from 'vitest';
import type { InteractionEvent, InteractionType } from '@recstream/schemas';
import { DEFAULT_AGGREGATION_OPTIONS as OPTIONS, applyToItem, applyToUser, emptyItemState, emptyUserState, materializeItem, materializeUser, NO_CONTENT } from './entity-state.js';

const T0 = Date.UTC(2026, 2, 1);
const MIN = 60_000;
let n = 0;
const event = (type: InteractionType, item: string, time: number): InteractionEvent => ({
  schema_version: 1,
  event_id: `e${n++}`,
  type,
  user_id: 'u1',
  item_id: item,
  event_time: time,
  context: {},
});

describe('user aggregation', () => {
  it('keeps the behaviour sequence in event-time order, without exposures, capped', () => {
    const state = emptyUserState();
    const options = { ...OPTIONS, sequenceLength: 3 };
    applyToUser(state, event('click', 'a', T0 + 2 * MIN), NO_CONTENT, options);
    applyToUser(state, event('exposure', 'x', T0 + 3 * MIN), NO_CONTENT, options);
    applyToUser(state, event('view', 'b', T0 + 1 * MIN), NO_CONTENT, options); // out of order: lands first
    applyToUser(state, event('purchase', 'c', T0 + 4 * MIN), NO_CONTENT, options);
    expect(state.sequence.map((entry) => entry.item_id)).toEqual(['b', 'a', 'c']);
    applyToUser(state, event('like', 'd', T0 + 5 * MIN), NO_CONTENT, options);
    expect(state.sequence).toEqual([
      { item_id: 'a', type: 'click', time: T0 + 2 * MIN },
      { item_id: 'c', type: 'purchase', time: T0 + 4 * MIN },
      { item_id: 'd', type: 'like', time: T0 + 5 * MIN },
    ]);
  });

  it('counts per type, per category and per tag, and last activity ignores exposures', () => {
    const state = emptyUserState();
    applyToUser(state, event('click', 'a', T0), { categories: ['books', 'sale'], tags: ['new'] }, OPTIONS);
    applyToUser(state, event('click', 'b', T0 + MIN), { categories: ['books'] }, OPTIONS);
    applyToUser(state, event('exposure', 'c', T0 + 90 * MIN), { categories: ['books'] }, OPTIONS);
    const { user_activity } = materializeUser(state, OPTIONS);
    expect(user_activity.counts.click).toEqual({ '1h': 0, '24h': 2, '7d': 2 });
    expect(user_activity.counts.exposure).toEqual({ '1h': 1, '24h': 1, '7d': 1 });
    expect(user_activity.counts.purchase).toEqual({ '1h': 0, '24h': 0, '7d': 0 });
    expect(user_activity.category_counts).toEqual({ books: { '1h': 0, '24h': 2, '7d': 2 }, sale: { '1h': 0, '24h': 1, '7d': 1 } });
    expect(user_activity.tag_counts).toEqual({ new: { '1h': 0, '24h': 1, '7d': 1 } });
    expect(user_activity.last_active_ms).toBe(T0 + MIN);
  });

  it('pairs a click with the earlier clicks of the same session only', () => {
    const state = emptyUserState();
    expect(applyToUser(state, event('click', 'a', T0), NO_CONTENT, OPTIONS)).toEqual([]);
    applyToUser(state, event('view', 'v', T0 + MIN), NO_CONTENT, OPTIONS);
    expect(applyToUser(state, event('click', 'b', T0 + 2 * MIN), NO_CONTENT, OPTIONS)).toEqual([['a', 'b']]);
    expect(applyToUser(state, event('click', 'b', T0 + 3 * MIN), NO_CONTENT, OPTIONS)).toEqual([['a', 'b']]);
    expect(applyToUser(state, event('click', 'c', T0 + 3 * MIN + OPTIONS.sessionGapMs), NO_CONTENT, OPTIONS)).toEqual([['b', 'c']]);
  });
});

describe('item aggregation', () => {
  it('counts impressions, clicks and conversions and smooths CTR towards the prior', () => {
    const state = emptyItemState();
    for (let i = 0; i < 100; i++) applyToItem(state, event('exposure', 'i', T0 + i * 1000));
    for (let i = 0; i < 10; i++) applyToItem(state, event('click', 'i', T0 + i * 1000));
    applyToItem(state, event('purchase', 'i', T0 + 200_000));
    applyToItem(state, event('view', 'i', T0 + 200_000));
    const { item_stats } = materializeItem(state, OPTIONS);
    expect(item_stats.impressions['24h']).toBe(100);
    expect(item_stats.clicks['1h']).toBe(10);
    expect(item_stats.conversions['7d']).toBe(1);
    const expected = (10 + OPTIONS.ctrPrior * OPTIONS.ctrStrength) / (100 + OPTIONS.ctrStrength);
    expect(item_stats.ctr_24h).toBeCloseTo(expected, 12);
    expect(item_stats.ctr_24h).toBeLessThan(10 / 100);
    expect(item_stats.trend).toBeGreaterThan(1); // all activity in the last hour
  });

  it('reads a new item as the prior CTR', () => {
    expect(materializeItem(emptyItemState(), OPTIONS).item_stats.ctr_7d).toBeCloseTo(OPTIONS.ctrPrior, 12);
  });
});

describe('rating statistics', () => {
  it('count and mean the ratings per user and per item, and nothing else', () => {
    const user = emptyUserState();
    const items = { a: emptyItemState(), b: emptyItemState() };
    const rate = (item: 'a' | 'b', rating: number, time: number) => {
      const e = { ...event('rating', item, time), rating };
      applyToUser(user, e, NO_CONTENT, OPTIONS);
      applyToItem(items[item], e);
    };
    rate('a', 5, T0);
    rate('a', 2, T0 + MIN);
    rate('b', 3.5, T0 + 2 * MIN);
    for (const other of [event('click', 'a', T0 + 3 * MIN), event('purchase', 'a', T0 + 4 * MIN)]) {
      applyToUser(user, other, NO_CONTENT, OPTIONS);
      applyToItem(items.a, other);
    }
    expect(materializeUser(user, OPTIONS).user_activity).toMatchObject({ rating_count: 3, rating_mean: 3.5 });
    expect(materializeItem(items.a, OPTIONS).item_stats).toMatchObject({ rating_count: 2, rating_mean: 3.5 });
    expect(materializeItem(items.b, OPTIONS).item_stats).toMatchObject({ rating_count: 1, rating_mean: 3.5 });
    expect(materializeItem(emptyItemState(), OPTIONS).item_stats).toMatchObject({ rating_count: 0, rating_mean: 0 });
  });
});
