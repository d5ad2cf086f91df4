/**
 * The expected feature values computed straight from the events, without the
 * lib's windowing or aggregation code: for data whose span fits in every
 * window, each window's count is the plain total.
 */
import type { InteractionEvent, ItemEvent } from '@recstream/schemas';
import { DEFAULT_AGGREGATION_OPTIONS as OPTIONS } from '../src/entity-state.js';

export interface UserReference {
  counts: Record<string, number>;
  categories: Record<string, number>;
  tags: Record<string, number>;
  lastActive: number;
  sequence: { item_id: string; type: string; time: number; category?: string }[];
}

export interface ItemReference {
  impressions: number;
  clicks: number;
  conversions: number;
  ctr: number;
}

export function reference(interactions: readonly InteractionEvent[], catalog: readonly ItemEvent[], sessionGapMs: number) {
  const categoriesOf = new Map(catalog.map((item) => [item.item_id, item.categories]));
  const tagsOf = new Map(catalog.map((item) => [item.item_id, item.tags]));
  const users = new Map<string, UserReference>();
  const items = new Map<string, ItemReference>();
  const clicksByUser = new Map<string, InteractionEvent[]>();
  for (const event of interactions) {
    const user = users.get(event.user_id) ?? { counts: {}, categories: {}, tags: {}, lastActive: 0, sequence: [] };
    users.set(event.user_id, user);
    user.counts[event.type] = (user.counts[event.type] ?? 0) + 1;
    if (event.type !== 'exposure') {
      for (const category of categoriesOf.get(event.item_id) ?? []) user.categories[category] = (user.categories[category] ?? 0) + 1;
      for (const tag of tagsOf.get(event.item_id) ?? []) user.tags[tag] = (user.tags[tag] ?? 0) + 1;
      user.lastActive = Math.max(user.lastActive, event.event_time);
      const category = categoriesOf.get(event.item_id)?.[0];
      user.sequence.push({ item_id: event.item_id, type: event.type, time: event.event_time, ...(category !== undefined && { category }) });
    }
    const item = items.get(event.item_id) ?? { impressions: 0, clicks: 0, conversions: 0, ctr: 0 };
    items.set(event.item_id, item);
    if (event.type === 'exposure') item.impressions++;
    if (event.type === 'click') {
      item.clicks++;
      clicksByUser.set(event.user_id, [...(clicksByUser.get(event.user_id) ?? []), event]);
    }
    if (event.type === 'purchase') item.conversions++;
  }
  for (const user of users.values()) user.sequence = user.sequence.sort((a, b) => a.time - b.time).slice(-OPTIONS.sequenceLength);
  for (const item of items.values()) item.ctr = (item.clicks + OPTIONS.ctrPrior * OPTIONS.ctrStrength) / (item.impressions + OPTIONS.ctrStrength);

  const covisits = new Map<string, Map<string, number>>();
  const bump = (a: string, b: string) => {
    const counts = covisits.get(a) ?? new Map<string, number>();
    covisits.set(a, counts);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  };
  for (const clicks of clicksByUser.values()) {
    for (let i = 0; i < clicks.length; i++) {
      for (let j = i + 1; j < clicks.length; j++) {
        const [a, b] = [clicks[i]!, clicks[j]!];
        if (a.item_id !== b.item_id && Math.abs(a.event_time - b.event_time) <= sessionGapMs) {
          bump(a.item_id, b.item_id);
          bump(b.item_id, a.item_id);
        }
      }
    }
  }
  return { users, items, covisits };
}
