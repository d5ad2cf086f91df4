import { describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_VIEWS, DEFAULT_USER_VIEWS, modelFeatures, type ItemViews, type UserViews } from './model-features.js';

const T = Date.UTC(2026, 2, 1);
const week = (n: number) => ({ '1h': 0, '24h': 0, '7d': n });
const item = (category: string, tags: string[] = []): ItemViews => ({
  ...DEFAULT_ITEM_VIEWS,
  item_attributes: { ...DEFAULT_ITEM_VIEWS.item_attributes, categories: [category], tags },
});
/** A user with `clicks` and `shown` per category (and the same per tag, named after it). */
function user(counts: Record<string, { clicks: number; shown: number }>): UserViews {
  const entries = Object.entries(counts);
  const clicks = Object.fromEntries(entries.map(([name, c]) => [name, week(c.clicks)]));
  const shown = Object.fromEntries(entries.map(([name, c]) => [name, week(c.shown)]));
  const activity = { ...DEFAULT_USER_VIEWS.user_activity, category_counts: clicks, tag_counts: clicks, category_exposures: shown, tag_exposures: shown };
  return { ...DEFAULT_USER_VIEWS, user_activity: activity };
}

describe('user_category_lift_7d and user_tag_lift_7d', () => {
  it('do not move when the lists show a category more often at the same rate, where the share does', () => {
    const before = user({ a: { clicks: 2, shown: 20 }, b: { clicks: 2, shown: 20 } });
    const after = user({ a: { clicks: 8, shown: 80 }, b: { clicks: 2, shown: 20 } });
    const [x, y] = [modelFeatures(before, item('a', ['a']), T), modelFeatures(after, item('a', ['a']), T)];
    expect(y.user_category_share_7d).toBeGreaterThan(x.user_category_share_7d!);
    expect(y.user_category_lift_7d).toBeCloseTo(x.user_category_lift_7d!, 12);
    expect(y.user_tag_lift_7d).toBeCloseTo(x.user_tag_lift_7d!, 12);
  });

  it('rank categories by clicks per exposure, smoothed towards 1 for few exposures', () => {
    const views = user({ liked: { clicks: 6, shown: 20 }, shown: { clicks: 2, shown: 40 }, few: { clicks: 1, shown: 2 } });
    const lift = (category: string) => modelFeatures(views, item(category, [category]), T).user_category_lift_7d!;
    expect(lift('liked')).toBeGreaterThan(1);
    expect(lift('shown')).toBeLessThan(1);
    // 1 in 2 is a higher rate than 6 in 20, but two exposures say little.
    expect(lift('few')).toBeLessThan(lift('liked'));
    expect(lift('never')).toBeCloseTo(1, 12);
    expect(modelFeatures(views, item('liked', ['liked']), T).user_tag_lift_7d).toBeCloseTo(lift('liked'), 12);
  });

  it('count interactions without recorded exposures as exposed', () => {
    const views = user({ outside: { clicks: 3, shown: 0 } });
    expect(modelFeatures(views, item('outside'), T).user_category_lift_7d).toBeCloseTo(1, 12);
  });
});
