import { describe, expect, it } from 'vitest';
import { validateEvent, type InteractionEventInput } from '@recstream/schemas';
import { DEFAULT_WORLD_OPTIONS, SyntheticWorld } from './world.js';

const small = { users: 200, items: 400, days: 3, seed: 7 };

function clickRate(events: InteractionEventInput[], predicate: (event: InteractionEventInput, previous: string | undefined) => boolean) {
  const world = new SyntheticWorld(small);
  const category = new Map(world.items.map((item) => [item.id, item.category]));
  const lastClicked = new Map<string, number>();
  const clicked = new Set(events.filter((e) => e.type === 'click').map((e) => `${e.request_id}/${e.item_id}`));
  let shown = 0;
  let hits = 0;
  for (const event of events) {
    if (event.type === 'click') lastClicked.set(event.user_id, category.get(event.item_id)!);
    if (event.type !== 'exposure') continue;
    const previous = lastClicked.get(event.user_id);
    if (!predicate(event, previous === undefined ? undefined : `c${world.nextCategory(previous)}`)) continue;
    shown++;
    if (clicked.has(`${event.request_id}/${event.item_id}`)) hits++;
  }
  return { shown, rate: hits / shown };
}

describe('SyntheticWorld', () => {
  const events = [...new SyntheticWorld(small).interactionEvents()];

  it('is deterministic by seed', () => {
    const again = [...new SyntheticWorld(small).interactionEvents()];
    expect(again).toEqual(events);
    const other = [...new SyntheticWorld({ ...small, seed: 8 }).interactionEvents()];
    expect(other).not.toEqual(events);
  });

  it('emits only events the contract accepts, in event-time order per day', () => {
    const world = new SyntheticWorld(small);
    for (const event of [...world.upsertEvents(), ...events]) {
      const result = validateEvent(event);
      expect(result.ok ? [] : result.reasons).toEqual([]);
    }
    expect(events.filter((e) => e.type === 'exposure').length).toBeGreaterThan(small.users * small.days * 10);
  });

  it('plants a sequential signal: the category after the last clicked one is clicked more', () => {
    const world = new SyntheticWorld(small);
    const category = new Map(world.items.map((item) => [item.id, `c${item.category}`]));
    const next = clickRate(events, (e, nextCategory) => nextCategory !== undefined && category.get(e.item_id) === nextCategory);
    const other = clickRate(events, (e, nextCategory) => nextCategory !== undefined && category.get(e.item_id) !== nextCategory);
    expect(next.shown).toBeGreaterThan(500);
    expect(next.rate).toBeGreaterThan(other.rate * 1.8);
  });

  it('plants position bias: the first slot is clicked more than the last', () => {
    const first = clickRate(events, (e) => e.context?.position === 0);
    const last = clickRate(events, (e) => e.context?.position === 9);
    expect(first.rate).toBeGreaterThan(last.rate * 1.5);
  });

  it('gives items topic tags from their own taste vector, and turning tags off changes nothing else', () => {
    const world = new SyntheticWorld(small);
    for (const item of world.items) {
      expect(item.tags).toHaveLength(DEFAULT_WORLD_OPTIONS.tagsPerItem);
      const [k, sign] = [Number(item.tags[0]!.slice(1, -1)), item.tags[0]!.at(-1)];
      expect(Math.abs(item.vector[k]!)).toBe(Math.max(...item.vector.map(Math.abs)));
      expect(sign).toBe(item.vector[k]! < 0 ? '-' : '+');
    }
    const untagged = new SyntheticWorld({ ...small, tagsPerItem: 0 });
    expect(untagged.items.every((item) => item.tags.length === 0)).toBe(true);
    expect(untagged.items.map((item) => item.vector)).toEqual(world.items.map((item) => item.vector));
    expect([...untagged.interactionEvents()]).toEqual(events);
  });

  it('makes click probability depend on context for the same user and item', () => {
    const world = new SyntheticWorld(small);
    const [user, item] = [world.users[0]!, world.items[0]!];
    const time = world.options.start;
    const probabilities = new Set(
      (['mobile', 'desktop', 'tablet'] as const).flatMap((device) =>
        [2, 8, 14, 20].map((hour) => world.clickProbability(user, item, { device, hour }, undefined, time).toFixed(6)),
      ),
    );
    expect(probabilities.size).toBeGreaterThan(6);
  });
});
