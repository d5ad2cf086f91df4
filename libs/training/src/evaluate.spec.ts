import { describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_VIEWS, DEFAULT_USER_VIEWS } from '@recstream/features';
import type { EncodableRow } from '@recstream/models';
import type { Sample } from '@recstream/samples';
import { DatasetIndex, rankingMetrics, type RankingCase, type RowScorer } from './evaluate.js';

/** 'a' above everything, 'b' below everything, the catalogue's nXX items in between by number. */
const scorer: RowScorer = {
  score: (rows: readonly EncodableRow[]) => Float32Array.from(rows, (row) => (row.itemId === 'a' ? 2 : row.itemId === 'b' ? -1 : 1 + Number(row.itemId.slice(1)) / 100)),
};

const positive = (userId: string, itemId: string) =>
  ({ userId, itemId, labelTime: 0, label: 1, context: {}, features: { ...DEFAULT_USER_VIEWS, ...DEFAULT_ITEM_VIEWS } }) as Sample;

function catalogue(size: number): DatasetIndex {
  const index = new DatasetIndex();
  for (let i = 0; i < size; i++) index.observe({ ...positive('other', `n${String(i).padStart(2, '0')}`), label: 0 });
  return index;
}
const userCase = (userId: string, items: string[]): RankingCase => {
  const relevant = items.map((itemId) => positive(userId, itemId));
  return { base: relevant[0]!, relevant };
};

describe('rankingMetrics', () => {
  it('counts the share of each user’s relevant items in the top K, where HR@K counts the held-out one', () => {
    const report = rankingMetrics(
      scorer,
      { heldOut: [userCase('u1', ['a']), userCase('u2', ['a'])], byUser: [userCase('u1', ['a', 'b']), userCase('u2', ['a'])] },
      catalogue(30),
      { k: 10, negatives: 19 },
    );
    expect(report.hr_at_10).toBe(1);
    expect(report.ndcg_at_10).toBe(1);
    // u1 finds 'a' (first) but not 'b' (last of 21): 1/2; u2 finds its one item: 1.
    expect(report.recall_at_10).toBe(0.75);
    expect(report).toMatchObject({ ncf_users: 2, recall_users: 2 });
  });

  it('equals HR@K when every user has one relevant item', () => {
    const cases = [userCase('u1', ['b']), userCase('u2', ['a']), userCase('u3', ['n05'])];
    const report = rankingMetrics(scorer, { heldOut: cases, byUser: cases }, catalogue(30), { k: 10, negatives: 19 });
    expect(report.recall_at_10).toBe(report.hr_at_10);
    expect(report.hr_at_10).toBeCloseTo(1 / 3, 10);
  });

  it('never samples a user’s training positives as negatives', () => {
    const index = catalogue(30);
    // u1 clicked the 20 best-scored catalogue items in training; drawn as negatives, they would push n09 out of the top 1.
    for (let i = 10; i < 30; i++) index.observe(positive('u1', `n${i}`));
    const report = rankingMetrics(scorer, { heldOut: [], byUser: [userCase('u1', ['n09'])] }, index, { k: 1, negatives: 99 });
    expect(report.recall_at_10).toBe(1);
  });

  it('counts the held-out cases whose (user, item) the training data holds as a positive', () => {
    const index = catalogue(30);
    index.observe(positive('u1', 'a'));
    index.observe({ ...positive('u2', 'a'), label: 0 });
    const cases = [userCase('u1', ['a']), userCase('u2', ['a']), userCase('u3', ['n05'])];
    const report = rankingMetrics(scorer, { heldOut: cases, byUser: cases }, index, { k: 10, negatives: 19 });
    // u1's held-out item was a training positive; u2's was only a training negative, u3's an item others saw.
    expect(report.test_cases_seen_in_training).toBe(1);
    expect(rankingMetrics(scorer, { heldOut: cases, byUser: cases }, catalogue(30)).test_cases_seen_in_training).toBe(0);
  });
});
