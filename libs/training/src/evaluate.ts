import type pg from 'pg';
import { DEFAULT_ITEM_VIEWS, modelFeatures, type ItemViews } from '@recstream/features';
import { auc, catalogueCoverage, createRandom, groupAuc, hitAtK, logLoss, ndcgAtK, rankOf, type EncodableRow } from '@recstream/models';
import { readSamples, type Sample } from '@recstream/samples';

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
  /** Sampled unseen items each held-out positive is ranked against (99 in the NCF paper). */
  negatives: number;
  seed: number;
  batchSize: number;
}

export const DEFAULT_EVALUATION_OPTIONS: EvaluationOptions = { k: 10, negatives: 99, seed: 7, batchSize: 4_096 };

export interface EvaluationReport {
  /** Classification on the time-split test set. */
  auc: number;
  gauc: number;
  logloss: number;
  test_samples: number;
  /** NCF protocol on each user's held-out latest positive. */
  hr_at_10: number;
  ndcg_at_10: number;
  recall_at_10: number;
  coverage_at_10: number;
  ncf_users: number;
}

/**
 * Evaluates a scorer on a dataset version: AUC, group AUC and log loss on the
 * test split, and HR@K, NDCG@K, Recall@K and catalogue coverage with the NCF
 * protocol on the leave-latest-out holdout. Deterministic for a given index
 * and seed, so two models are compared on exactly the same cases.
 */
export async function evaluateOnDataset(
  pool: pg.Pool,
  datasetVersion: string,
  scorer: RowScorer,
  index: DatasetIndex,
  options: Partial<EvaluationOptions> = {},
): Promise<EvaluationReport> {
  const o = { ...DEFAULT_EVALUATION_OPTIONS, ...options };
  const scores: number[] = [];
  const labels: number[] = [];
  const groups: number[] = [];
  const userGroup = new Map<string, number>();
  for await (const batch of readSamples(pool, datasetVersion, { splits: ['test'], batchSize: o.batchSize })) {
    const batchScores = scorer.score(batch.map((sample) => toRow(sample)));
    batch.forEach((sample, i) => {
      scores.push(batchScores[i]!);
      labels.push(sample.label > 0 ? 1 : 0);
      if (!userGroup.has(sample.userId)) userGroup.set(sample.userId, userGroup.size);
      groups.push(userGroup.get(sample.userId)!);
    });
  }

  const random = createRandom(o.seed);
  const items = index.items;
  let hits = 0;
  let ndcg = 0;
  let cases = 0;
  const topLists: Int32Array[] = [];
  const itemNumber = new Map(items.map((item, i) => [item, i]));
  for await (const batch of readSamples(pool, datasetVersion, { holdout: 'test', batchSize: o.batchSize })) {
    for (const sample of batch) {
      if (sample.label <= 0) continue;
      const seen = index.positives.get(sample.userId) ?? new Set<string>();
      const candidates = [sample.itemId];
      const chosen = new Set<string>([sample.itemId]);
      const available = items.length - seen.size - (seen.has(sample.itemId) ? 0 : 1);
      while (candidates.length <= Math.min(o.negatives, available)) {
        const item = items[random.int(items.length)]!;
        if (seen.has(item) || chosen.has(item)) continue;
        chosen.add(item);
        candidates.push(item);
      }
      const caseScores = scorer.score(candidates.map((itemId, i) => (i === 0 ? toRow(sample) : toRow(sample, { itemId, views: index.viewsOf(itemId) }))));
      const rank = rankOf(caseScores, 0);
      hits += hitAtK(rank, o.k);
      ndcg += ndcgAtK(rank, o.k);
      cases++;
      const order = candidates.map((_, i) => i).sort((a, b) => caseScores[b]! - caseScores[a]!);
      topLists.push(Int32Array.from(order.slice(0, o.k), (i) => itemNumber.get(candidates[i]!) ?? -1));
    }
  }
  const perCase = (value: number) => (cases === 0 ? 0 : value / cases);
  return {
    auc: auc(scores, labels),
    gauc: groupAuc(scores, labels, groups),
    logloss: logLoss(scores, labels),
    test_samples: scores.length,
    hr_at_10: perCase(hits),
    ndcg_at_10: perCase(ndcg),
    recall_at_10: perCase(hits),
    coverage_at_10: catalogueCoverage(topLists, items.length),
    ncf_users: cases,
  };
}
