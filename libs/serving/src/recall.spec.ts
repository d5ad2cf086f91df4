import { describe, expect, it } from 'vitest';
import { Catalog, type CatalogItem } from './catalog.js';
import type { ServedRecall } from './models/served-model.js';
import { DEFAULT_RECALL_OPTIONS, fuseRules, mergeCandidates, shortlist, type Candidate } from './recall.js';

const item = (id: string): CatalogItem => ({ id, vocabId: 0, categories: [], tags: [], available: true, createdMs: null });
const candidate = (id: string, fusedScore: number, sources: Candidate['sources'], annRank?: number): Candidate => ({ item: item(id), sources, fusedScore, annRank });

describe('shortlist', () => {
  const popular = Array.from({ length: 6 }, (_, i) => candidate(`p${i}`, 0.05 - i * 0.001, ['popular', 'trending']));
  const annOnly = candidate('fresh', 1 / 60, ['ann'], 0);
  const deepAnn = candidate('deep', 1 / 90, ['ann'], 30);
  const exploring = candidate('x', 0, ['exploration']);

  it('keeps the ANN’s best even when items several lists propose outscore them in fusion', () => {
    const picked = shortlist([...popular, annOnly, deepAnn, exploring], 4, 1).map((c) => c.item.id);
    expect(picked).toEqual(['p0', 'p1', 'p2', 'fresh', 'x']);
  });

  it('is the best by fusion when nothing is reserved, with exploration candidates on top of the size', () => {
    expect(shortlist([...popular, annOnly, deepAnn, exploring], 4, 0).map((c) => c.item.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'x']);
  });
});

describe('mergeCandidates', () => {
  const items = new Map(['a', 'b', 'c', 'd', 'e', 'x', 'seen'].map((id) => [id, item(id)]));
  const get = (id: string) => items.get(id)!;
  const served = { items: [get('a'), get('b'), get('seen')] } as unknown as ServedRecall;
  const rules = fuseRules(
    [[{ item: get('c'), rank: 0 }, { item: get('b'), rank: 3 }, { item: get('e'), rank: 4 }], [{ item: get('b'), rank: 1 }, { item: get('d'), rank: 2 }]],
    [{ item: get('a'), rank: 5 }, { item: get('d'), rank: 0 }],
  );
  const merged = mergeCandidates(
    {
      catalog: new Catalog([...items.values()]),
      ann: { served, labels: [1, 2, 0] },
      rules,
      covisited: [{ id: 'c', score: 3 }, { id: 'unknown', score: 2 }],
      exploration: [get('a'), get('d'), get('x')],
      allowed: (i) => i.id !== 'seen' && i.id !== 'e',
    },
    { ...DEFAULT_RECALL_OPTIONS, explorationCandidates: 5 },
  );
  const byId = new Map(merged.map((c) => [c.item.id, c]));

  it('lists each allowed item once with every source that proposed it, in the order sources are read', () => {
    expect(merged.map((c) => c.item.id)).toEqual(['b', 'a', 'c', 'd', 'x']);
    expect(byId.get('b')!.sources).toEqual(['ann', 'popular']);
    expect(byId.get('a')!.sources).toEqual(['ann', 'trending']);
    expect(byId.get('d')!.sources).toEqual(['popular', 'trending']);
    expect(byId.get('c')!.sources).toEqual(['covisit', 'popular']);
    expect(byId.get('x')!.sources).toEqual(['exploration']);
  });

  it('fuses by reciprocal rank, using each list item’s own rank, and remembers the ANN rank', () => {
    expect(byId.get('b')!.fusedScore).toBeCloseTo(1 / 60 + 1 / 63 + 1 / 61, 12);
    expect(byId.get('a')!.fusedScore).toBeCloseTo(1 / 62 + 1 / 65, 12);
    expect(byId.get('d')!.fusedScore).toBeCloseTo(1 / 62 + 1 / 60, 12);
    expect([byId.get('b')!.annRank, byId.get('a')!.annRank, byId.get('c')!.annRank]).toEqual([0, 2, undefined]);
  });

  it('passes on a candidate only the rules proposed as the shared one, and leaves the shared ones as they were', () => {
    const shared = new Map(rules.candidates.map((c) => [c.item.id, c]));
    expect(byId.get('d')).toBe(shared.get('d'));
    expect(byId.get('b')).not.toBe(shared.get('b'));
    expect(shared.get('b')!.sources).toEqual(['popular']);
    expect(shared.get('b')!.fusedScore).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(shared.get('a')!.sources).toEqual(['trending']);
  });
});
