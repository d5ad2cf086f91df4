import { describe, expect, it } from 'vitest';
import { itemAttributes, itemStats, modelFeatures, userActivity, userProfile, userSequence, type ItemViews, type UserViews } from '@recstream/features';
import { SyntheticWorld, type WorldOptions } from '@recstream/synth';

const WORLD: Partial<WorldOptions> = { users: 300, items: 400, days: 3, seed: 7 };
const sums = (count: number) => ({ '1h': 0, '24h': count, '7d': count });

/**
 * Click rates of the world's exposures of items in a category the user has
 * not engaged with yet (so the category says nothing), split by whether
 * `user_tag_affinity` (from the user's earlier interactions, as the views
 * would hold them within the 7-day window) is above the median of those
 * exposures that have one.
 */
function clickRatesByAffinity(options: Partial<WorldOptions>): { high: number; low: number; withAffinity: number } {
  const world = new SyntheticWorld(options);
  const items = new Map(world.items.map((item) => [item.id, item]));
  const events = [...world.interactionEvents()];
  const clicked = new Set(events.filter((e) => e.type === 'click').map((e) => `${e.request_id}/${e.item_id}`));
  const history = new Map<string, { categories: Map<string, number>; tags: Map<string, number> }>();
  const scored: { affinity: number; clicked: boolean }[] = [];
  let withoutCategory = 0;
  for (const event of events) {
    const item = items.get(event.item_id)!;
    const category = `c${item.category}`;
    const user = history.get(event.user_id) ?? { categories: new Map(), tags: new Map() };
    history.set(event.user_id, user);
    if (event.type !== 'exposure') {
      user.categories.set(category, (user.categories.get(category) ?? 0) + 1);
      for (const tag of item.tags) user.tags.set(tag, (user.tags.get(tag) ?? 0) + 1);
      continue;
    }
    if (user.categories.has(category)) continue;
    withoutCategory++;
    const views: UserViews = {
      user_activity: { ...userActivity.defaults(), tag_counts: Object.fromEntries([...user.tags].map(([tag, count]) => [tag, sums(count)])) },
      user_sequence: userSequence.defaults(),
      user_profile: userProfile.defaults(),
    };
    const itemViews: ItemViews = { item_stats: itemStats.defaults(), item_attributes: { ...itemAttributes.defaults(), categories: [category], tags: item.tags } };
    const { user_tag_affinity: affinity } = modelFeatures(views, itemViews, event.event_time as number);
    if (affinity !== undefined && user.tags.size > 0) scored.push({ affinity, clicked: clicked.has(`${event.request_id}/${event.item_id}`) });
  }
  const median = scored.map((s) => s.affinity).sort((a, b) => a - b)[Math.floor(scored.length / 2)]!;
  const rate = (rows: typeof scored) => rows.filter((s) => s.clicked).length / rows.length;
  return { high: rate(scored.filter((s) => s.affinity > median)), low: rate(scored.filter((s) => s.affinity <= median)), withAffinity: scored.length / Math.max(withoutCategory, 1) };
}

describe('user_tag_affinity', () => {
  it("carries the world's taste beyond the category: unseen categories are clicked more where the item's tags are the user's", () => {
    const { high, low, withAffinity } = clickRatesByAffinity(WORLD);
    expect(withAffinity).toBeGreaterThan(0.5);
    expect(high).toBeGreaterThan(low * 1.15);
  });

  it('is absent when the catalogue has no tags', () => {
    expect(clickRatesByAffinity({ ...WORLD, tagsPerItem: 0 }).withAffinity).toBe(0);
  });
});
