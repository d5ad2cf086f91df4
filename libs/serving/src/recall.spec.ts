import { describe, expect, it } from 'vitest';
import type { CatalogItem } from './catalog.js';
import { shortlist, type Candidate } from './recall.js';

const item = (id: string): CatalogItem => ({ id, vocabId: 0, categories: [], available: true, createdMs: null });
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
