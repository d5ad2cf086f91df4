import { NonRetriableError } from '@recstream/platform';
import { INTERACTION_TYPES, type InteractionType, type SequenceEntry } from '@recstream/schemas';
import { viewCatalogue } from './view-catalogue.js';
import { zeroSums, type WindowSums } from './windows.js';

/** The key prefix (Redis) and offsets namespace (Postgres) of a deployment's feature store, unless set. */
export const DEFAULT_FEATURE_NAMESPACE = 'fs';

/**
 * Feature views, declared once. Each names its entity, its values (with the
 * defaults an online read returns for an entity it has never seen), its TTL
 * and its source topic. The feature builder materializes them, the online
 * store reads them by name, and the offline store keeps their history under
 * the same name for point-in-time reads, so training and serving see the
 * same values.
 */
export type EntityName = 'user' | 'item';

export interface FeatureView<Name extends string = string, Values = unknown> {
  name: Name;
  entity: EntityName;
  /** Online keys expire this long after their last write; offline point-in-time reads ignore older rows. From the view catalogue. */
  readonly ttlMs: number;
  /** The Kafka topic whose events compute the view. */
  source: 'events' | 'items' | 'users';
  /**
   * Where point-in-time reads find past values: `history` rows in
   * feature_history, or `event_log`, for a view the log itself answers
   * exactly (the behaviour sequence), which saves writing its bulky values
   * once per batch.
   */
  offline: 'history' | 'event_log';
  /** Returned for an entity (or a field) the stores hold no value for. */
  defaults: () => Values;
  /**
   * How the online store writes the values when not as a JSON object: as a
   * positional array, for a view read hundreds at a time, which parses in a
   * third of the time. Fields are only ever appended; a shorter array reads
   * the missing ones as their defaults.
   */
  onlineFields?: { encode(values: Values): unknown[]; decode(fields: readonly unknown[]): Values };
  description: string;
}

export const CONVERSION_TYPES: ReadonlySet<InteractionType> = new Set<InteractionType>(['purchase']);

export interface UserActivity {
  /** Events per interaction type over each window. */
  counts: Record<InteractionType, WindowSums>;
  /** Non-exposure interactions per item category over each window; the most active categories only. */
  category_counts: Record<string, WindowSums>;
  /** Non-exposure interactions per item tag over each window; the most active tags only. */
  tag_counts: Record<string, WindowSums>;
  /** Event time of the user's latest interaction, epoch ms; 0 when never seen. */
  last_active_ms: number;
  /** The user's ratings since the state began (the key's TTL), and their mean; 0 when none. */
  rating_count: number;
  rating_mean: number;
}

export interface UserSequence {
  /** The latest interactions, oldest first, as DIN/DIEN take them; exposures are what was shown, not what the user did, so they are left out. */
  items: SequenceEntry[];
}

export interface UserProfile {
  attributes: Record<string, string | number | boolean>;
}

export interface ItemStats {
  impressions: WindowSums;
  clicks: WindowSums;
  conversions: WindowSums;
  /** Click-through rate smoothed towards a prior, so new items are not ranked on one click. */
  ctr_24h: number;
  ctr_7d: number;
  /** Last hour's impressions and clicks against the 24 h hourly mean; above 1 is rising. */
  trend: number;
  /** The item's ratings since the state began (the key's TTL), and their mean; 0 when none. */
  rating_count: number;
  rating_mean: number;
}

export interface ItemAttributes {
  categories: string[];
  tags: string[];
  available: boolean;
  /** When the item was created, epoch ms; null when the catalogue did not say. */
  created_time: number | null;
}

export const userActivity: FeatureView<'user_activity', UserActivity> = {
  name: 'user_activity',
  entity: 'user',
  get ttlMs() {
    return viewCatalogue().ttlMs.user_activity;
  },
  source: 'events',
  offline: 'history',
  defaults: () => ({
    counts: Object.fromEntries(INTERACTION_TYPES.map((type) => [type, zeroSums()])) as Record<InteractionType, WindowSums>,
    category_counts: {},
    tag_counts: {},
    last_active_ms: 0,
    rating_count: 0,
    rating_mean: 0,
  }),
  description: "counts per interaction type and per item category and tag over the catalogue's windows, last active time, rating count and mean",
};

export const userSequence: FeatureView<'user_sequence', UserSequence> = {
  name: 'user_sequence',
  entity: 'user',
  get ttlMs() {
    return viewCatalogue().ttlMs.user_sequence;
  },
  source: 'events',
  offline: 'event_log',
  defaults: () => ({ items: [] }),
  description: 'the latest interactions with item, type and time',
};

export const userProfile: FeatureView<'user_profile', UserProfile> = {
  name: 'user_profile',
  entity: 'user',
  get ttlMs() {
    return viewCatalogue().ttlMs.user_profile;
  },
  source: 'users',
  offline: 'history',
  defaults: () => ({ attributes: {} }),
  description: 'user attributes from user events',
};

// Sums go in the catalogue's window order: online rows written under another catalogue need a rebuild.
const sumsFields = (sums: WindowSums | undefined) => viewCatalogue().windows.map((window) => sums?.[window.name]);
const sumsAt = (fields: readonly unknown[], i: number): WindowSums => Object.fromEntries(viewCatalogue().windows.map((window, w) => [window.name, numberAt(fields, i + w)]));
const numberAt = (fields: readonly unknown[], i: number) => (fields[i] as number | null | undefined) ?? 0;

export const itemStats: FeatureView<'item_stats', ItemStats> = {
  name: 'item_stats',
  entity: 'item',
  get ttlMs() {
    return viewCatalogue().ttlMs.item_stats;
  },
  source: 'events',
  offline: 'history',
  defaults: () => ({ impressions: zeroSums(), clicks: zeroSums(), conversions: zeroSums(), ctr_24h: 0, ctr_7d: 0, trend: 0, rating_count: 0, rating_mean: 0 }),
  // Serving and the online read decode one per candidate.
  onlineFields: {
    encode: (s) => [...sumsFields(s.impressions), ...sumsFields(s.clicks), ...sumsFields(s.conversions), s.ctr_24h, s.ctr_7d, s.trend, s.rating_count, s.rating_mean],
    decode: (f) => {
      const w = viewCatalogue().windows.length;
      return {
        impressions: sumsAt(f, 0),
        clicks: sumsAt(f, w),
        conversions: sumsAt(f, 2 * w),
        ctr_24h: numberAt(f, 3 * w),
        ctr_7d: numberAt(f, 3 * w + 1),
        trend: numberAt(f, 3 * w + 2),
        rating_count: numberAt(f, 3 * w + 3),
        rating_mean: numberAt(f, 3 * w + 4),
      };
    },
  },
  description: "impressions, clicks and conversions over the catalogue's windows, smoothed CTR, trend, rating count and mean",
};

export const itemAttributes: FeatureView<'item_attributes', ItemAttributes> = {
  name: 'item_attributes',
  entity: 'item',
  get ttlMs() {
    return viewCatalogue().ttlMs.item_attributes;
  },
  source: 'items',
  offline: 'history',
  defaults: () => ({ categories: [], tags: [], available: true, created_time: null }),
  description: 'catalogue attributes from item events',
};

/**
 * Co-visitation: for an item, the items clicked in the same session by the
 * same users, with counts. Online only (a sorted set per item, for
 * rule-based recall); a rebuild recomputes it from the event log.
 */
export const itemCovisit: FeatureView<'item_covisit', { items: { item_id: string; count: number }[] }> = {
  name: 'item_covisit',
  entity: 'item',
  get ttlMs() {
    return viewCatalogue().ttlMs.item_covisit;
  },
  source: 'events',
  offline: 'event_log',
  defaults: () => ({ items: [] }),
  description: 'items clicked in the same session, with counts',
};

export const USER_VIEWS = [userActivity, userSequence, userProfile] as const;
export const ITEM_VIEWS = [itemStats, itemAttributes] as const;
export const FEATURE_VIEWS = [...USER_VIEWS, ...ITEM_VIEWS, itemCovisit] as const;
export type FeatureViewName = (typeof FEATURE_VIEWS)[number]['name'];

/** An entity key lives as long as its longest-lived view. */
export function entityTtlMs(entity: EntityName): number {
  return Math.max(...FEATURE_VIEWS.filter((view) => view.entity === entity && view !== itemCovisit).map((view) => view.ttlMs));
}

export function featureView(name: string): FeatureView {
  const view = FEATURE_VIEWS.find((candidate) => candidate.name === name);
  if (!view) throw new NonRetriableError(`unknown feature view ${JSON.stringify(name)}; known: ${FEATURE_VIEWS.map((v) => v.name).join(', ')}`);
  return view;
}
