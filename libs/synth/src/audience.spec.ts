import { describe, expect, it } from 'vitest';
import { SimulatedAudience } from './audience.js';
import { SyntheticWorld } from './world.js';

const world = new SyntheticWorld({ users: 200, items: 400, categories: 8, days: 2, seed: 9 });
const time = world.options.start + world.options.days * 86_400_000;

/** For each user, their items ranked by ground-truth click probability, best first. */
function rankedFor(userId: string): string[] {
  const user = world.users.find((u) => u.id === userId)!;
  const context = { device: user.device, hour: 12 };
  return world.items
    .map((item) => ({ id: item.id, p: world.clickProbability(user, item, context, undefined, time) }))
    .sort((a, b) => b.p - a.p)
    .map((item) => item.id);
}

describe('SimulatedAudience', () => {
  it('clicks lists of the users best items several times more often than lists of their worst', () => {
    const clicks = (pick: (ranked: string[]) => string[]) => {
      const audience = new SimulatedAudience(world, 1);
      return world.users.reduce((sum, user, i) => {
        const itemIds = pick(rankedFor(user.id));
        return sum + audience.react({ requestId: `r${i}`, userId: user.id, itemIds, device: user.device, time }).length;
      }, 0);
    };
    const best = clicks((ranked) => ranked.slice(0, 10));
    const worst = clicks((ranked) => ranked.slice(-10));
    expect(best).toBeGreaterThan(3 * worst);
    expect(best).toBeGreaterThan(0);
  });

  it('reports clicks with the request, position and a time after the list was shown', () => {
    const audience = new SimulatedAudience(world, 2);
    const user = world.users[0]!;
    const itemIds = rankedFor(user.id).slice(0, 20);
    const clicks = Array.from({ length: 20 }, (_, i) => audience.react({ requestId: `r${i}`, userId: user.id, itemIds, device: user.device, time })).flat();
    expect(clicks.length).toBeGreaterThan(0);
    for (const click of clicks) {
      expect(itemIds[click.position]).toBe(click.itemId);
      expect(click.userId).toBe(user.id);
      expect(click.time).toBeGreaterThan(time);
    }
  });

  it('starts each user at the category of their last click in the logged history', () => {
    const last = new Map<string, string>();
    for (const event of world.interactionEvents()) if (event.type === 'click') last.set(event.user_id, event.item_id);
    const audience = new SimulatedAudience(world, 4);
    const category = (itemId: string | undefined) => world.items.find((item) => item.id === itemId)?.category;
    expect(last.size).toBeGreaterThan(0);
    for (const user of world.users) expect(audience.previousCategory(user.id)).toBe(category(last.get(user.id)));
  });

  it("exposes each user's previous category: the last clicked item's, undefined before a click", () => {
    const audience = new SimulatedAudience(world, 4, { fromHistory: false });
    const user = world.users[1]!;
    expect(audience.previousCategory(user.id)).toBeUndefined();
    const itemIds = rankedFor(user.id).slice(0, 20);
    const clicks = Array.from({ length: 20 }, (_, i) => audience.react({ requestId: `r${i}`, userId: user.id, itemIds, device: user.device, time })).flat();
    const last = world.items.find((item) => item.id === clicks.at(-1)!.itemId)!;
    expect(audience.previousCategory(user.id)).toBe(last.category);
  });

  it('ignores users and items the world does not know', () => {
    const audience = new SimulatedAudience(world);
    expect(audience.react({ requestId: 'r', userId: 'stranger', itemIds: ['i1'], device: 'mobile', time })).toEqual([]);
    expect(audience.react({ requestId: 'r', userId: 'u1', itemIds: ['nope'], device: 'mobile', time })).toEqual([]);
  });
});
