import type { Batch, FeatureSpec } from '../batch.js';
import { groupByUser, writeHistory, type Interaction } from '../data/interactions.js';
import { createRandom } from '../random.js';
import { catalogueCoverage, hitAtK, ndcgAtK, rankOf } from '../metrics/ranking.js';

/** Anything that scores a batch: every model and the popularity baseline. */
export interface Scorer {
  score(batch: Batch): Float32Array;
}

export interface NcfOptions {
  /** Sampled unseen items ranked against the held-out one (99 in the paper). */
  negatives: number;
  k: number;
  seed: number;
}

export const DEFAULT_NCF_OPTIONS: NcfOptions = { negatives: 99, k: 10, seed: 7 };

/** One held-out interaction with its candidate list; the held-out item is candidate 0. */
export interface NcfCase {
  heldOut: Interaction;
  candidates: Int32Array;
  /** The user's training interactions, oldest first (the history a model may read). */
  past: Interaction[];
}

export interface NcfSplit {
  train: Interaction[];
  cases: NcfCase[];
}

export interface RankingReport {
  hitRate: number;
  ndcg: number;
  /** One relevant item per user, so Recall@K equals HR@K; reported for completeness. */
  recall: number;
  coverage: number;
  users: number;
}

/**
 * The NCF protocol (He et al. 2017): each user's latest interaction is held
 * out and ranked among `negatives` items the user never interacted with,
 * sampled deterministically from `seed`. Users with a single interaction stay
 * in training only.
 */
export function leaveLatestOut(interactions: Interaction[], options: Partial<NcfOptions> = {}): NcfSplit {
  const { negatives, seed } = { ...DEFAULT_NCF_OPTIONS, ...options };
  const random = createRandom(seed);
  const items = [...new Set(interactions.map((i) => i.itemId))].sort((a, b) => a - b);
  const train: Interaction[] = [];
  const cases: NcfCase[] = [];
  for (const sequence of groupByUser(interactions).values()) {
    if (sequence.length < 2) {
      train.push(...sequence);
      continue;
    }
    const past = sequence.slice(0, -1);
    const heldOut = sequence.at(-1)!;
    train.push(...past);
    const seen = new Set(sequence.map((i) => i.itemId));
    const pool = Math.min(negatives, items.length - seen.size);
    const chosen = new Set<number>();
    while (chosen.size < pool) {
      const item = items[random.int(items.length)]!;
      if (!seen.has(item)) chosen.add(item);
    }
    cases.push({ heldOut, past, candidates: Int32Array.from([heldOut.itemId, ...chosen]) });
  }
  return { train, cases };
}

/** The batch that scores one case: every candidate with the held-out interaction's user, history and context. */
export function caseBatch(testCase: NcfCase, spec: FeatureSpec): Batch {
  const size = testCase.candidates.length;
  const batch: Batch = {
    size,
    userIds: new Int32Array(size).fill(testCase.heldOut.userId),
    itemIds: testCase.candidates,
  };
  if (spec.contextFields.length > 0) {
    batch.context = spec.contextFields.map((_, f) => new Int32Array(size).fill(testCase.heldOut.context?.[f] ?? -1));
  }
  if (spec.historyLength > 0) {
    const one = new Int32Array(spec.historyLength);
    writeHistory(testCase.past, testCase.past.length, spec.historyLength, one, 0);
    const history = new Int32Array(size * spec.historyLength);
    for (let i = 0; i < size; i++) history.set(one, i * spec.historyLength);
    batch.history = history;
  }
  return batch;
}

/** HR@K, NDCG@K, Recall@K and catalogue coverage of the top-K lists over all cases. */
export function evaluateRanking(scorer: Scorer, cases: NcfCase[], spec: FeatureSpec, k = DEFAULT_NCF_OPTIONS.k): RankingReport {
  let hits = 0;
  let ndcg = 0;
  const topLists: Int32Array[] = [];
  const catalogue = new Set<number>();
  for (const testCase of cases) {
    const scores = scorer.score(caseBatch(testCase, spec));
    const rank = rankOf(scores, 0);
    hits += hitAtK(rank, k);
    ndcg += ndcgAtK(rank, k);
    const order = Array.from(testCase.candidates.keys()).sort((a, b) => scores[b]! - scores[a]!);
    topLists.push(Int32Array.from(order.slice(0, k), (i) => testCase.candidates[i]!));
    testCase.candidates.forEach((item) => catalogue.add(item));
  }
  const users = Math.max(cases.length, 1);
  return {
    hitRate: hits / users,
    ndcg: ndcg / users,
    recall: hits / users,
    coverage: catalogueCoverage(topLists, catalogue.size),
    users: cases.length,
  };
}
