import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogItem } from './catalog.js';
import { contextKey, type Popularity } from './popularity.js';
import { RecallLists } from './recall-lists.js';

const item = (id: string, createdMs: number | null = null): CatalogItem => ({ id, vocabId: 0, categories: [], tags: [], available: true, createdMs });
const scored = (...ids: string[]) => ids.map((id, i) => ({ id, score: 10 - i }));

const catalog = new Catalog([item('a'), item('b'), item('c'), item('d'), item('new', 5), item('newer', 9)]);
const popularity: Popularity = {
  global: scored('a', 'gone', 'b', 'c', 'd'),
  contextual: new Map([
    [contextKey('surface', 'home'), scored('c', 'b')],
    [contextKey('device', 'mobile'), scored('d')],
  ]),
  trending: scored('gone', 'b'),
  normalized: new Map([['a', 1], ['b', 0.5], ['c', 0.2], ['d', 0.1]]),
};
const lists = new RecallLists(catalog, popularity, { ruleCandidates: 4, explorationPoolSize: 10 });
const ids = (list: readonly { item: CatalogItem; rank: number }[]) => list.map(({ item, rank }) => [item.id, rank]);

describe('RecallLists', () => {
  it('resolves each list to catalogue items once, cut to ruleCandidates, keeping the ranks of items the catalogue lacks', () => {
    expect(ids(lists.global)).toEqual([['a', 0], ['b', 2], ['c', 3]]);
    expect(ids(lists.trending)).toEqual([['b', 1]]);
    expect(lists.global[0]!.item).toBe(catalog.get('a'));
  });

  it('fuses the popular lists of a context most specific first, global last, skipping contexts without a list', () => {
    // Ranks: surface:home c 0, b 1; device:mobile d 0; global a 0, b 2, c 3; trending b 1.
    const scores = (surface: string | undefined, device: string | undefined) => lists.rules(surface, device).candidates.map((c) => [c.item.id, c.fusedScore] as const);
    const expectScores = (actual: (readonly [string, number])[], expected: [string, number][]) => {
      expect(actual.map(([id]) => id)).toEqual(expected.map(([id]) => id));
      actual.forEach(([, score], i) => expect(score).toBeCloseTo(expected[i]![1], 12));
    };
    expectScores(scores('home', 'mobile'), [['c', 1 / 60 + 1 / 63], ['b', 1 / 61 + 1 / 62 + 1 / 61], ['d', 1 / 60], ['a', 1 / 60]]);
    expectScores(scores('nowhere', undefined), [['a', 1 / 60], ['b', 1 / 62 + 1 / 61], ['c', 1 / 63]]);
  });

  it('fuses the rules of a context once, shared by every request of that context', () => {
    const rules = lists.rules('home', 'mobile');
    expect(rules.candidates.map((c) => [c.item.id, c.sources])).toEqual([
      ['c', ['popular']],
      ['b', ['popular', 'trending']],
      ['d', ['popular']],
      ['a', ['popular']],
    ]);
    expect(lists.rules('home', 'mobile')).toBe(rules);
    // A context value without a list of its own shares the rules of the contexts that have one.
    expect(lists.rules('home', 'tv')).toBe(lists.rules('home', undefined));
    expect(lists.rules('nowhere', 'tv').candidates.map((c) => c.item.id)).toEqual(['a', 'b', 'c']);
  });

  it('keeps the exploration pool of the refresh: items without interactions, newest first', () => {
    expect(lists.exploration.map((i) => i.id)).toEqual(['newer', 'new']);
  });
});
