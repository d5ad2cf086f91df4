import { HISTORY_LENGTH, cross, type FeatureSpec, type ModelKind } from '@recstream/models';

/** Request context the context-aware models read; `hour` and `daypart` come from the row's time. */
export const CONTEXT_FIELDS = ['device', 'hour', 'daypart', 'surface', 'position'] as const;

/**
 * The model features and crosses the rankers read beside the context: the
 * item's category and the user's history in it, the user's history in the
 * item's tags (taste that a few clicks per item cannot teach an item id;
 * docs/decisions/item-content-tags.md), the item's smoothed CTR and age,
 * the category after the user's latest one, and category by device and
 * time of day. Numeric ones are read as buckets fitted on the training data
 * (see `fitNumericBuckets`). Counts that scale with how much traffic arrives
 * and how fast (the user's 24-hour and click counts, the item's impressions,
 * clicks and trend) are left out: when sessions come closer together than in
 * the training data they leave its range and the frozen ranker's scores
 * drift (docs/decisions/ranker-traffic-features.md).
 */
export const RANKING_FEATURE_FIELDS = [
  'item_category',
  'last_category',
  'user_country',
  'user_category_7d',
  'user_category_share_7d',
  'user_tag_affinity',
  'item_ctr_7d',
  'item_age_days',
  cross('item_category', 'last_category'),
  cross('item_category', 'device', 'daypart'),
] as const;

/**
 * What the two-tower model's towers read beside the ids and the behaviour
 * sequence (items and their categories): the user's profile, latest
 * category and activity, the request's device and time of day, and the
 * item's category and main tag (content, which places an item the model has
 * no id row for). Item fields are only those the catalogue holds, because
 * serving computes every catalogue item's vector when it builds the recall
 * index: windowed item stats or item age would be stale there by the next
 * request.
 */
export const TWO_TOWER_FIELDS = ['user_country', 'last_category', 'user_clicks_7d', 'device', 'daypart', 'item_category', 'item_tag'] as const;

/** What each model kind reads: MF and NeuMF stay on ids, the two-tower model reads each side's features, the rankers read every field. */
export function featureSpecFor(kind: ModelKind): FeatureSpec {
  switch (kind) {
    case 'twotower':
      return { contextFields: [...TWO_TOWER_FIELDS], historyLength: HISTORY_LENGTH, historyCategories: true };
    case 'deepfm':
      return { contextFields: [...CONTEXT_FIELDS, ...RANKING_FEATURE_FIELDS], historyLength: 0 };
    case 'din':
    case 'dien':
      return { contextFields: [...CONTEXT_FIELDS, ...RANKING_FEATURE_FIELDS], historyLength: HISTORY_LENGTH };
    default:
      return { contextFields: [], historyLength: 0 };
  }
}

/**
 * Per-kind hyperparameters that differ from the model library's defaults for
 * our training data (measured on generated logs); job hyperparameters override them.
 */
export function defaultHyperparameters(kind: ModelKind): Record<string, number> {
  if (kind === 'mf') return { dim: 64, sparseLearningRate: 0.05 };
  // With model features, DeepFM's shared field rows overshoot at its library default of 0.05.
  if (kind === 'deepfm') return { sparseLearningRate: 0.02 };
  return {};
}
