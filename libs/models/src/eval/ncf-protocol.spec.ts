import { describe, expect, it } from 'vitest';
import { plantedSequences } from '../../testing/planted-data.js';
import { caseBatch, evaluateRanking, leaveLatestOut } from './ncf-protocol.js';
import { PopularityScorer } from './popularity.js';

const data = plantedSequences({ users: 50, interactionsPerUser: 10 });

describe('leaveLatestOut', () => {
  it('holds out each user latest interaction among 99 unseen sampled items, deterministically', () => {
    const split = leaveLatestOut(data, { seed: 5 });
    expect(split.cases).toHaveLength(50);
    expect(split.train).toHaveLength(data.length - 50);
    for (const testCase of split.cases) {
      const seen = new Set(data.filter((i) => i.userId === testCase.heldOut.userId).map((i) => i.itemId));
      const latest = Math.max(...data.filter((i) => i.userId === testCase.heldOut.userId).map((i) => i.timestamp));
      expect(testCase.heldOut.timestamp).toBe(latest);
      expect(testCase.candidates).toHaveLength(100);
      expect(new Set(testCase.candidates).size).toBe(100);
      expect(Array.from(testCase.candidates.slice(1)).some((item) => seen.has(item))).toBe(false);
    }
    expect(leaveLatestOut(data, { seed: 5 })).toEqual(split);
    expect(leaveLatestOut(data, { seed: 6 }).cases[0]!.candidates).not.toEqual(split.cases[0]!.candidates);
  });

  it('builds case batches with the user history, latest last', () => {
    const { cases } = leaveLatestOut(data);
    const testCase = cases[0]!;
    const batch = caseBatch(testCase, { contextFields: [], historyLength: 3 });
    expect(Array.from(batch.history!.slice(0, 3))).toEqual(testCase.past.slice(-3).map((i) => i.itemId));
  });
});

describe('evaluateRanking', () => {
  it('gives an oracle HR@10 and NDCG@10 of 1 and the popularity baseline less', () => {
    const split = leaveLatestOut(data);
    const spec = { contextFields: [], historyLength: 0 };
    const heldOut = new Set(split.cases.map((c) => `${c.heldOut.userId}:${c.heldOut.itemId}`));
    const oracle = {
      score: (batch: { size: number; userIds: Int32Array; itemIds: Int32Array }) =>
        Float32Array.from(batch.itemIds, (item, i) => (heldOut.has(`${batch.userIds[i]}:${item}`) ? 1 : 0)),
    };
    const best = evaluateRanking(oracle, split.cases, spec);
    expect(best.hitRate).toBe(1);
    expect(best.ndcg).toBe(1);
    const popularity = evaluateRanking(new PopularityScorer(split.train), split.cases, spec);
    expect(popularity.hitRate).toBeLessThan(0.8);
    expect(popularity.coverage).toBeGreaterThan(0);
  });
});
