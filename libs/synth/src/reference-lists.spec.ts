import { describe, expect, it } from 'vitest';
import { SimulatedAudience } from './audience.js';
import { LoggedCounts } from './logged-counts.js';
import { REFERENCE_LISTS, ReferenceLists, expectedCtr, type ListRequest } from './reference-lists.js';
import { SyntheticWorld } from './world.js';

const world = new SyntheticWorld({ users: 200, items: 400, categories: 10, days: 3, seed: 13 });
const logged = new LoggedCounts(world, world.interactionEvents());
const time = world.options.start + world.options.days * 86_400_000;
const requests: ListRequest[] = world.users.map((user, i) => ({ user, context: { device: user.device, hour: (i * 5) % 24 }, time, previousCategory: i % 3 === 0 ? undefined : i % 10 }));

const meanCtrs = (references: ReferenceLists) => {
  const sums = Object.fromEntries(REFERENCE_LISTS.map((name) => [name, 0])) as Record<(typeof REFERENCE_LISTS)[number], number>;
  for (const request of requests) for (const [name, ctr] of Object.entries(references.expectedCtrs(request))) sums[name as keyof typeof sums] += ctr / requests.length;
  return sums;
};

describe('ReferenceLists', () => {
  it('orders the references as their knowledge: best over the heuristic over random, and best over every other', () => {
    const ctrs = meanCtrs(new ReferenceLists(world, logged));
    expect(ctrs.best).toBeGreaterThan(ctrs.heuristic);
    expect(ctrs.heuristic).toBeGreaterThan(ctrs.random);
    for (const name of REFERENCE_LISTS) expect(ctrs.best).toBeGreaterThanOrEqual(ctrs[name]);
    // The logging policy knew the user's taste and last click; popularity is a real term of the truth.
    expect(ctrs.logging).toBeGreaterThan(ctrs.random);
    expect(ctrs.popular).toBeGreaterThan(ctrs.random);
  });

  it('leaves out what the user already clicked, from every list but the logging policy\'s', () => {
    const references = new ReferenceLists(world, logged);
    const request = requests[1]!;
    const shown = Object.values(references.lists(request)).flat();
    const consumed = new Set(shown.map((item) => item.id));
    const again = references.lists({ ...request, consumed });
    // The logging policy is the world's own, which never filtered what was clicked.
    for (const name of REFERENCE_LISTS.filter((name) => name !== 'logging')) expect(again[name].filter((item) => consumed.has(item.id))).toEqual([]);
    expect(again.best.length).toBe(10);
  });

  it('is deterministic by seed', () => {
    const lists = (seed: number) => requests.slice(0, 20).map((request) => new ReferenceLists(world, logged, { seed }).lists(request));
    expect(lists(5)).toEqual(lists(5));
    expect(lists(5).map((l) => l.random)).not.toEqual(lists(6).map((l) => l.random));
  });

  it('makes lists of distinct live items of the configured size', () => {
    const early = world.options.start;
    const references = new ReferenceLists(world, logged, { listSize: 7 });
    for (const request of requests.slice(0, 30).map((r) => ({ ...r, time: early }))) {
      for (const list of Object.values(references.lists(request))) {
        expect(list).toHaveLength(7);
        expect(new Set(list).size).toBe(7);
        for (const item of list) expect(item.createdTime).toBeLessThanOrEqual(early);
      }
    }
  });

  it('takes the most popular list from logged clicks, not from the truth', () => {
    const [first] = new ReferenceLists(world, logged).lists(requests[0]!).popular;
    const index = world.items.indexOf(first!);
    expect(logged.itemClicks[index]).toBe(Math.max(...logged.itemClicks));
  });

  it("scores a served list by id like the same items, unknown ids taking a place and no clicks", () => {
    const references = new ReferenceLists(world, logged);
    const request = requests[1]!;
    const best = references.lists(request).best;
    expect(references.expectedCtrOf(request, best.map((item) => item.id))).toBeCloseTo(expectedCtr(world, request, best), 12);
    const withUnknown = references.expectedCtrOf(request, [...best.slice(0, 5).map((item) => item.id), 'nope']);
    expect(withUnknown).toBeCloseTo((expectedCtr(world, request, best.slice(0, 5)) * 5) / 6, 12);
  });
});

describe('expectedCtr', () => {
  it("matches the audience's click rate, a click changing the previous category for the positions after it", () => {
    // A chain of categories, each the one after the previous: every click makes the next item likelier.
    const chain = Array.from({ length: 10 }, (_, c) => world.items.find((item) => item.category === c)!);
    const users = world.users.slice(0, 100);
    // The audience reads the hour from the list's time.
    const at = time + 20 * 3_600_000;
    const context = (user: (typeof users)[number]) => ({ device: user.device, hour: 20 });
    const expected = users.reduce((sum, user) => sum + expectedCtr(world, { user, context: context(user), time: at, previousCategory: undefined }, chain), 0) / users.length;
    const naive =
      users.reduce((sum, user) => sum + chain.reduce((s, item, position) => s + world.clickProbability(user, item, context(user), undefined, at, position), 0) / chain.length, 0) /
      users.length;
    let clicks = 0;
    const repeats = 200;
    for (let seed = 1; seed <= repeats; seed++) {
      const audience = new SimulatedAudience(world, seed, { fromHistory: false });
      for (const user of users) clicks += audience.react({ requestId: 'r', userId: user.id, itemIds: chain.map((item) => item.id), device: user.device, time: at }).length;
    }
    const exposures = repeats * users.length * chain.length;
    const realised = clicks / exposures;
    const standardError = Math.sqrt((realised * (1 - realised)) / exposures);
    expect(Math.abs(realised - expected)).toBeLessThan(4 * standardError);
    expect(expected - naive).toBeGreaterThan(4 * standardError);
  });
});
