import type pg from 'pg';
import { DEFAULT_ITEM_VIEWS, modelFeatures, type ItemViews } from '@recstream/features';
import { auc, catalogueCoverage, createRandom, groupAuc, hitAtK, logLoss, ndcgAtK, rankOf, type EncodableRow, type Random } from '@recstream/models';
import { readManifest, readSamples, splitCuts, type Sample } from '@recstream/samples';

/** Anything that scores rows: a model (see modelScorer) or the popularity baseline. */
export interface RowScorer {
  score(rows: readonly EncodableRow[]): Float32Array;
}

/** A sample as a model row: its point-in-time views become its model features; `item` puts another item's views in its place. */
export function toRow(sample: Sample, item?: { itemId: string; views: ItemViews }): EncodableRow {
  return {
    userId: sample.userId,
    itemId: item?.itemId ?? sample.itemId,
    time: sample.labelTime,
    context: sample.context,
    sequence: sample.features.user_sequence?.items ?? [],
    features: modelFeatures(sample.features, item?.views ?? sample.features, sample.labelTime),
    label: sample.label,
  };
}

/**
 * What evaluation needs to know about the training data: the item universe
 * to sample NCF negatives from, each user's positives (never sampled as
 * negatives) and item popularity for the baseline. Filled while training streams.
 */
export class DatasetIndex {
  private readonly itemSet = new Set<string>();
  readonly positives = new Map<string, Set<string>>();
  readonly popularity = new Map<string, number>();
  /** Each item's latest views in the training data: the features an NCF negative is scored with. */
  private readonly itemViews = new Map<string, { time: number; views: ItemViews }>();
  private sortedItems?: string[];

  observe(sample: Sample): void {
    this.itemSet.add(sample.itemId);
    this.sortedItems = undefined;
    const known = this.itemViews.get(sample.itemId);
    if (!known || known.time <= sample.labelTime) this.itemViews.set(sample.itemId, { time: sample.labelTime, views: sample.features });
    if (sample.label <= 0) return;
    let items = this.positives.get(sample.userId);
    if (!items) this.positives.set(sample.userId, (items = new Set()));
    items.add(sample.itemId);
    this.popularity.set(sample.itemId, (this.popularity.get(sample.itemId) ?? 0) + 1);
  }

  hasItem(itemId: string): boolean {
    return this.itemSet.has(itemId);
  }

  viewsOf(itemId: string): ItemViews {
    return this.itemViews.get(itemId)?.views ?? DEFAULT_ITEM_VIEWS;
  }

  /** Items in a fixed order, so seeded negative sampling is the same for every model. */
  get items(): readonly string[] {
    return (this.sortedItems ??= [...this.itemSet].sort());
  }
}

/** Scores an item by its count of training positives: the baseline every model must beat. */
export class PopularityBaseline implements RowScorer {
  constructor(private readonly index: DatasetIndex) {}
  score(rows: readonly EncodableRow[]): Float32Array {
    return Float32Array.from(rows, (row) => this.index.popularity.get(row.itemId) ?? 0);
  }
}

export interface EvaluationOptions {
  k: number;
  /** Sampled unseen items each case's relevant items are ranked against (99 in the NCF paper). */
  negatives: number;
  seed: number;
  batchSize: number;
}

export const DEFAULT_EVALUATION_OPTIONS: EvaluationOptions = { k: 10, negatives: 99, seed: 7, batchSize: 4_096 };

export interface RankingReport {
  /** NCF protocol on each user's held-out latest positive. */
  hr_at_10: number;
  ndcg_at_10: number;
  /** Share of each user's test-split positives in the top K of a list with sampled unseen items, averaged over users. */
  recall_at_10: number;
  coverage_at_10: number;
  ncf_users: number;
  recall_users: number;
  /** Held-out (user, item) cases that are also positives of the data the model was trained on (the index); a leak unless 0. */
  test_cases_seen_in_training: number;
}

export interface EvaluationReport extends RankingReport {
  /** Classification on the test split. */
  auc: number;
  gauc: number;
  logloss: number;
  test_samples: number;
}

/**
 * Positives to find for one user, each ranked among the same sampled unseen
 * items, all scored as of `base` (its user, time, context and history), each
 * with its own item's views (negatives with their latest training views).
 */
export interface RankingCase {
  base: Sample;
  relevant: readonly Sample[];
}

/** The ranking cases of a test split: each user's held-out positive (HR, NDCG) and all of each user's distinct positives (Recall). */
export interface RankingCases {
  heldOut: RankingCase[];
  byUser: RankingCase[];
}

/**
 * Evaluates a scorer on a dataset version: AUC, group AUC and log loss on the
 * test split's period (testPeriodStart); HR@K, NDCG@K and catalogue coverage
 * with the NCF protocol on the leave-latest-out holdout (always in the test
 * split); Recall@K over each user's test-split positives. Deterministic for a given index and seed, so
 * two models are compared on exactly the same cases.
 */
export async function evaluateOnDataset(
  pool: pg.Pool,
  datasetVersion: string,
  scorer: RowScorer,
  index: DatasetIndex,
  options: Partial<EvaluationOptions> = {},
): Promise<EvaluationReport> {
  const o = { ...DEFAULT_EVALUATION_OPTIONS, ...options };
  const testFrom = await testPeriodStart(pool, datasetVersion);
  const scores: number[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  const times: number[] = [];
  const userGroup = new Map<string, number>();
  const heldOutAt = new Map<number, number>();
  const cases: RankingCases = { heldOut: [], byUser: [] };
  const userCase = new Map<string, Map<string, Sample>>();
  for await (const batch of readSamples(pool, datasetVersion, { splits: ['test'], batchSize: o.batchSize })) {
    const batchScores = scorer.score(batch.map((sample) => toRow(sample)));
    batch.forEach((sample, i) => {
      scores.push(batchScores[i]!);
      labels.push(sample.label > 0 ? 1 : 0);
      times.push(sample.labelTime);
      if (!userGroup.has(sample.userId)) userGroup.set(sample.userId, userGroup.size);
      const group = userGroup.get(sample.userId)!;
      groups.push(group);
      if (sample.label <= 0) return;
      if (sample.holdout === 'test') {
        cases.heldOut.push({ base: sample, relevant: [sample] });
        heldOutAt.set(group, sample.labelTime);
      }
      // Samples come in label-time order: the first is the base, whose history holds none of the others.
      let mine = userCase.get(sample.userId);
      if (!mine) userCase.set(sample.userId, (mine = new Map()));
      if (!mine.has(sample.itemId)) mine.set(sample.itemId, sample);
    });
  }
  for (const positives of userCase.values()) {
    const relevant = [...positives.values()];
    cases.byUser.push({ base: relevant[0]!, relevant });
  }
  const inPeriod = (i: number) => times[i]! >= (testFrom ?? heldOutAt.get(groups[i]!) ?? -Infinity);
  const period = <T>(values: T[]) => values.filter((_, i) => inPeriod(i));
  const [periodScores, periodLabels] = [period(scores), period(labels)];
  return {
    auc: auc(periodScores, periodLabels),
    gauc: groupAuc(periodScores, periodLabels, period(groups)),
    logloss: logLoss(periodScores, periodLabels),
    test_samples: periodScores.length,
    ...rankingMetrics(scorer, cases, index, o),
  };
}

/**
 * Where the test period starts for AUC, GAUC and log loss: the time cut of a
 * time split, or undefined where each user's period starts at their held-out
 * positive (leave-latest-out). The test split also holds every sample of a
 * held-out (user, item) pair, from any time, so that no training read sees
 * it: mostly earlier exposures of an item the user went on to click. Scored
 * beside the period's labels they would turn AUC into a test of when a row
 * was logged rather than of what the user likes.
 */
async function testPeriodStart(pool: pg.Pool, datasetVersion: string): Promise<number | undefined> {
  const manifest = await readManifest(pool, datasetVersion);
  if (!manifest || manifest.config.splitStrategy !== 'time') return undefined;
  return splitCuts(manifest.range, manifest.config).validationEnd;
}

/**
 * HR@K and NDCG@K of the held-out cases, Recall@K of the per-user cases, and
 * the catalogue coverage of the held-out cases' top-K lists. A relevant item
 * is in the top K when fewer than K candidates outscore it, counting half the
 * ties (rankOf), so with one relevant item Recall@K is HR@K.
 */
export function rankingMetrics(scorer: RowScorer, cases: RankingCases, index: DatasetIndex, options: Partial<EvaluationOptions> = {}): RankingReport {
  const o = { ...DEFAULT_EVALUATION_OPTIONS, ...options };
  const itemNumber = new Map(index.items.map((item, i) => [item, i]));
  let hits = 0;
  let ndcg = 0;
  const topLists: Int32Array[] = [];
  const heldOutRandom = createRandom(o.seed);
  let seenInTraining = 0;
  for (const testCase of cases.heldOut) {
    const trained = index.positives.get(testCase.base.userId);
    if (testCase.relevant.some((sample) => trained?.has(sample.itemId))) seenInTraining++;
    const { candidates, scores } = rankCase(scorer, testCase, index, o.negatives, heldOutRandom);
    const rank = rankOf(scores, 0);
    hits += hitAtK(rank, o.k);
    ndcg += ndcgAtK(rank, o.k);
    const order = candidates.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
    topLists.push(Int32Array.from(order.slice(0, o.k), (i) => itemNumber.get(candidates[i]!) ?? -1));
  }
  let recall = 0;
  // A stream of its own, so the held-out cases draw the same negatives as before recall was measured.
  const recallRandom = createRandom(o.seed + 1);
  for (const testCase of cases.byUser) {
    const { scores } = rankCase(scorer, testCase, index, o.negatives, recallRandom);
    let found = 0;
    for (let i = 0; i < testCase.relevant.length; i++) found += hitAtK(rankOf(scores, i), o.k);
    recall += found / testCase.relevant.length;
  }
  const mean = (value: number, count: number) => (count === 0 ? 0 : value / count);
  return {
    hr_at_10: mean(hits, cases.heldOut.length),
    ndcg_at_10: mean(ndcg, cases.heldOut.length),
    recall_at_10: mean(recall, cases.byUser.length),
    coverage_at_10: catalogueCoverage(topLists, index.items.length),
    ncf_users: cases.heldOut.length,
    recall_users: cases.byUser.length,
    test_cases_seen_in_training: seenInTraining,
  };
}

/** Scores a case's relevant items (first) and up to `negatives` sampled items the user has no training positive for. */
function rankCase(scorer: RowScorer, testCase: RankingCase, index: DatasetIndex, negatives: number, random: Random): { candidates: string[]; scores: Float32Array } {
  const { base, relevant } = testCase;
  const items = index.items;
  const seen = index.positives.get(base.userId) ?? new Set<string>();
  const candidates = relevant.map((sample) => sample.itemId);
  const chosen = new Set(candidates);
  const available = items.length - seen.size - candidates.filter((item) => index.hasItem(item) && !seen.has(item)).length;
  const wanted = candidates.length + Math.min(negatives, available);
  while (candidates.length < wanted) {
    const item = items[random.int(items.length)]!;
    if (seen.has(item) || chosen.has(item)) continue;
    chosen.add(item);
    candidates.push(item);
  }
  const rows = candidates.map((itemId, i) => toRow(base, { itemId, views: relevant[i]?.features ?? index.viewsOf(itemId) }));
  return { candidates, scores: scorer.score(rows) };
}
