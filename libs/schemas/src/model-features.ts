import { z } from 'zod';
import { isStorableText } from './text.js';

/**
 * The named feature values a model reads beside ids and the request
 * context, derived from the feature views (libs/features' `modelFeatures`)
 * the same way from the point-in-time join offline and from the online
 * store in serving. Serving logs the values it scored each exposure with
 * under the exposure's `features`, which is how the online updater learns
 * from exactly what was served and how skew against the offline join is
 * measured. Names only ever get added.
 */
export const MODEL_FEATURES = {
  /** The item's first catalogue category. */
  item_category: 'categorical',
  /** The user profile's `country` attribute. */
  user_country: 'categorical',
  /** The category of the user's latest interaction (the behaviour sequence's last entry). */
  last_category: 'categorical',
  /** The user's interactions in the item's category over 7 days and 24 hours. */
  user_category_7d: 'numeric',
  user_category_24h: 'numeric',
  /** Those 7-day interactions as a share of all the user's categorised ones. */
  user_category_share_7d: 'numeric',
  /** The user's clicks over 7 days. */
  user_clicks_7d: 'numeric',
  /** The item's smoothed CTR, clicks and impressions over 7 days, and its trend. */
  item_ctr_7d: 'numeric',
  item_clicks_7d: 'numeric',
  item_impressions_7d: 'numeric',
  item_trend: 'numeric',
  /** Days since the item was created, at the scored time. */
  item_age_days: 'numeric',
  /** The item's first catalogue tag: its main topic. */
  item_tag: 'categorical',
  /** The user's 7-day interactions counted under the item's tags, as a share of those under all the user's tags: how much the item is about what the user engages with. */
  user_tag_affinity: 'numeric',
} as const;

export type ModelFeatureName = keyof typeof MODEL_FEATURES;
export type CategoricalFeatureName = { [K in ModelFeatureName]: (typeof MODEL_FEATURES)[K] extends 'categorical' ? K : never }[ModelFeatureName];
export type NumericFeatureName = Exclude<ModelFeatureName, CategoricalFeatureName>;

/** One (user, item, time)'s feature values; a missing name is an unknown value. */
export type ModelFeatures = Partial<Record<CategoricalFeatureName, string> & Record<NumericFeatureName, number>>;

export const MODEL_FEATURE_NAMES = Object.keys(MODEL_FEATURES) as ModelFeatureName[];
export const isModelFeature = (name: string): name is ModelFeatureName => Object.hasOwn(MODEL_FEATURES, name);

/** Longest categorical feature value logged (category names are labels, at most 64 characters). */
export const MAX_FEATURE_TEXT_LENGTH = 64;

/** Why `value` is not a valid logged value of the feature `name`, or undefined when it is. */
export function featureValueProblem(name: string, value: unknown): string | undefined {
  if (!isModelFeature(name)) return `is not a model feature (known: ${MODEL_FEATURE_NAMES.join(', ')})`;
  if (MODEL_FEATURES[name] === 'numeric') return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number';
  const valid = typeof value === 'string' && value.length <= MAX_FEATURE_TEXT_LENGTH && isStorableText(value);
  return valid ? undefined : `must be a string of at most ${MAX_FEATURE_TEXT_LENGTH} characters`;
}

/** The contract of logged features: known names only, each with its kind's type. */
export const LoggedFeatures = z.record(z.string(), z.unknown()).superRefine((features, ctx) => {
  for (const [name, value] of Object.entries(features)) {
    const problem = featureValueProblem(name, value);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
}) as unknown as z.ZodType<ModelFeatures>;
