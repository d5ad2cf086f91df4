import { describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import type { Candidate, RecallSource } from './recall.js';
import { DEFAULT_RERANK_OPTIONS, rerank, type Scored } from './rerank.js';

const candidate = (id: string, category: string, sources: RecallSource[] = ['ann']): Candidate => ({
  item: { id, vocabId: 0, categories: [category], tags: [], available: true, createdMs: null },
  sources,
  fusedScore: 0,
});
const sameCategory = (a: Candidate, b: Candidate) => (a.item.categories[0] === b.item.categories[0] ? 1 : 0);
const base = { now: 0, popularity: () => 0, similarity: sameCategory, random: () => 0.99 };
const options = { ...DEFAULT_RERANK_OPTIONS, freshnessWeight: 0, popularityWeight: 0, explorationRate: 0 };

// Three strong items in one category, two slightly weaker ones in others.
const scored: Scored[] = [
  { candidate: candidate('a1', 'a'), score: 0.9 },
  { candidate: candidate('a2', 'a'), score: 0.89 },
  { candidate: candidate('a3', 'a'), score: 0.88 },
  { candidate: candidate('b1', 'b'), score: 0.8 },
  { candidate: candidate('c1', 'c'), score: 0.78 },
];

describe('rerank', () => {
  it('orders by score without diversity', () => {
    expect(rerank({ ...base, scored, k: 3 }, { ...options, diversity: 0 }).map((p) => p.itemId)).toEqual(['a1', 'a2', 'a3']);
  });

  it('spreads categories with MMR', () => {
    expect(rerank({ ...base, scored, k: 3 }, { ...options, diversity: 0.5 }).map((p) => p.itemId)).toEqual(['a1', 'b1', 'c1']);
  });

  it('lifts fresh items', () => {
    const fresh = scored.map((s) => (s.candidate.item.id === 'c1' ? { ...s, candidate: { ...s.candidate, item: { ...s.candidate.item, createdMs: 0 } } } : s));
    expect(rerank({ ...base, scored: fresh, k: 1 }, { ...options, diversity: 0, freshnessWeight: 0.5 })[0]!.itemId).toBe('c1');
  });

  it('lifts popular items', () => {
    const popularity = (item: { id: string }) => (item.id === 'c1' ? 1 : 0);
    expect(rerank({ ...base, scored, k: 1, popularity }, { ...options, diversity: 0, popularityWeight: 0.5 })[0]!.itemId).toBe('c1');
  });

  it('gives an exploration item its slot when the draw says so, and only then', () => {
    const withNew = [...scored, { candidate: candidate('new', 'z', ['exploration']), score: 0.01 }];
    const explored = rerank({ ...base, scored: withNew, k: 4, random: () => 0.01 }, { ...options, diversity: 0, explorationRate: 0.2, explorationPosition: 2 });
    expect(explored.map((p) => p.itemId)).toEqual(['a1', 'a2', 'new', 'a3']);
    expect(explored[2]!.sources).toEqual(['exploration']);
    const exploited = rerank({ ...base, scored: withNew, k: 4, random: () => 0.5 }, { ...options, diversity: 0, explorationRate: 0.2 });
    expect(exploited.map((p) => p.itemId)).not.toContain('new');
  });

  it('picks what the full greedy MMR scan picks, ties included', () => {
    const random = new Random(5);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + random.int(60);
      // Few distinct scores and categories, so ties in relevance and in MMR value are common.
      const list: Scored[] = Array.from({ length: n }, (_, i) => ({ candidate: candidate(`i${i}`, `c${random.int(6)}`), score: random.int(8) / 8 }));
      const k = 1 + random.int(25);
      const diversity = [0, 0.3, 0.5, 1][trial % 4]!;
      const served = rerank({ ...base, scored: list, k }, { ...options, diversity }).map((p) => p.itemId);
      expect(served).toEqual(fullGreedyMmr(list, k, diversity));
    }
  });
});

/** MMR as Carbonell & Goldstein state it: at each step, the first candidate of highest value over all not yet picked. */
function fullGreedyMmr(list: Scored[], k: number, diversity: number): string[] {
  const maxScore = Math.max(Number.EPSILON, ...list.map((s) => s.score));
  const relevance = list.map((s) => s.score / maxScore);
  const picked: number[] = [];
  while (picked.length < Math.min(k, list.length)) {
    let best = -1;
    let bestValue = -Infinity;
    list.forEach((s, i) => {
      if (picked.includes(i)) return;
      const similarity = Math.max(0, ...picked.map((p) => sameCategory(s.candidate, list[p]!.candidate)));
      const value = (1 - diversity) * relevance[i]! - diversity * similarity;
      if (value > bestValue) [best, bestValue] = [i, value];
    });
    picked.push(best);
  }
  return picked.map((i) => list[i]!.candidate.item.id);
}
