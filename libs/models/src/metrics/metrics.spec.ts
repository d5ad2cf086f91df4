import { describe, expect, it } from 'vitest';
import { auc, groupAuc, logLoss } from './classification.js';
import { catalogueCoverage, hitAtK, ndcgAtK, rankOf, recallAtK } from './ranking.js';

describe('classification metrics', () => {
  it('computes AUC with ties counted half', () => {
    expect(auc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.1, 0.8, 0.3, 0.9], [1, 1, 0, 0])).toBe(0.25);
    expect(auc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(auc([0.5, 0.4], [1, 1])).toBeNaN();
  });

  it('weights group AUC by group size and skips one-class groups', () => {
    const scores = [0.9, 0.1, 0.2, 0.8, 0.4, 0.3, 0.5];
    const labels = [1, 0, 1, 0, 1, 0, 1];
    const groups = [1, 1, 2, 2, 3, 3, 4];
    // Groups 1 and 3 are perfect, group 2 inverted, group 4 has one class.
    expect(groupAuc(scores, labels, groups)).toBeCloseTo(2 / 3, 10);
  });

  it('computes log loss and keeps certain mistakes finite', () => {
    expect(logLoss([0.5, 0.5], [1, 0])).toBeCloseTo(Math.log(2), 10);
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
  });
});

describe('ranking metrics', () => {
  it('ranks the target among candidates, ties halved', () => {
    expect(rankOf([0.5, 0.9, 0.1], 0)).toBe(1);
    expect(rankOf([1, 1, 1, 1, 1], 0)).toBe(2);
  });

  it('computes HR@K, NDCG@K, Recall@K and coverage', () => {
    expect(hitAtK(9, 10)).toBe(1);
    expect(hitAtK(10, 10)).toBe(0);
    expect(ndcgAtK(0, 10)).toBe(1);
    expect(ndcgAtK(1, 10)).toBeCloseTo(1 / Math.log2(3), 10);
    expect(ndcgAtK(10, 10)).toBe(0);
    expect(recallAtK([4, 5, 6], new Set([5, 9]), 2)).toBe(0.5);
    expect(catalogueCoverage([[1, 2], [2, 3]], 6)).toBe(0.5);
  });
});
