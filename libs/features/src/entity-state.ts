import type { InteractionEvent, SequenceEntry } from '@recstream/schemas';
import { CONVERSION_TYPES, userActivity, type ItemAttributes, type ItemStats, type UserActivity, type UserSequence } from './views.js';
import { viewCatalogue } from './view-catalogue.js';
import { addCount, pruneCounts, windowSums, type WindowedCounts, type WindowSums } from './windows.js';

export interface AggregationOptions {
  /** Interactions kept in a user's behaviour sequence. */
  sequenceLength: number;
  /** Two clicks by one user at most this far apart are in the same session (co-visitation). */
  sessionGapMs: number;
  /** Earlier clicks of the session each new click is paired with. */
  maxSessionClicks: number;
  /** Categories kept in `category_counts`, the most active over the catalogue's longest window first. */
  maxCategories: number;
  /** Tags kept in `tag_counts`, likewise. */
  maxTags: number;
  /** Smoothed CTR = (clicks + prior x strength) / (impressions + strength). */
  ctrPrior: number;
  ctrStrength: number;
  /**
   * An entity's history gets a row for each interval of event time it was
   * active in, not only one per batch, so the point-in-time join sees what
   * serving saw even when a backlog (a fast ingest, a rebuild) arrives in
   * few large batches.
   */
  historyIntervalMs: number;
}

export const DEFAULT_AGGREGATION_OPTIONS: AggregationOptions = {
  sequenceLength: 50,
  sessionGapMs: 30 * 60_000,
  maxSessionClicks: 10,
  maxCategories: 20,
  maxTags: 50,
  ctrPrior: 0.02,
  ctrStrength: 50,
  historyIntervalMs: 60_000,
};

/** What the builder keeps per user between batches (in the online store, beside the views). */
export interface UserState {
  /** `type:<interaction type>`, `cat:<category>` and `tag:<tag>` -> windowed counts. */
  counts: Record<string, WindowedCounts>;
  sequence: SequenceEntry[];
  last_active_ms: number;
  /** Ratings applied and their sum; absent in states written before ratings were counted. */
  rating_count?: number;
  rating_sum?: number;
  /** Latest event time applied: the as-of time of the materialized views. */
  time: number;
}

export interface ItemState {
  /** `impressions`, `clicks`, `conversions` -> windowed counts. */
  counts: Record<string, WindowedCounts>;
  rating_count?: number;
  rating_sum?: number;
  time: number;
}

export const emptyUserState = (): UserState => ({ counts: {}, sequence: [], last_active_ms: 0, time: 0 });
export const emptyItemState = (): ItemState => ({ counts: {}, time: 0 });

/** What the user's counts read of an interaction's item: its catalogue content (tags absent in attributes stored before items had them). */
export type ItemContent = Pick<ItemAttributes, 'categories'> & Partial<Pick<ItemAttributes, 'tags'>>;
export const NO_CONTENT: ItemContent = { categories: [], tags: [] };

/** Two items clicked in one session; co-visitation counts each such pair once, both ways. */
export type CovisitPair = readonly [string, string];

/**
 * Applies one interaction to its user: counts per type and per category and
 * tag of the item (exposures by type only), the behaviour sequence (event-time order, so
 * out-of-order events land in place) and last active time. Returns the
 * co-visitation pairs a click makes with the session's earlier clicks.
 */
export function applyToUser(state: UserState, event: InteractionEvent, item: ItemContent, options: AggregationOptions): CovisitPair[] {
  const time = event.event_time;
  state.time = Math.max(state.time, time);
  bump(state.counts, `type:${event.type}`, time);
  if (event.type === 'exposure') return [];
  const { categories } = item;
  for (const category of categories) bump(state.counts, `cat:${category}`, time);
  for (const tag of item.tags ?? []) bump(state.counts, `tag:${tag}`, time);
  addRating(state, event);
  state.last_active_ms = Math.max(state.last_active_ms, time);
  const pairs = event.type === 'click' ? sessionPairs(state.sequence, event, options) : [];
  const entry: SequenceEntry = { item_id: event.item_id, type: event.type, time, ...(categories[0] !== undefined && { category: categories[0] }) };
  insertByTime(state.sequence, entry, options.sequenceLength);
  return pairs;
}

/** Applies one interaction to its item's impression, click and conversion counts and its ratings. */
export function applyToItem(state: ItemState, event: InteractionEvent): void {
  const time = event.event_time;
  state.time = Math.max(state.time, time);
  if (event.type === 'exposure') bump(state.counts, 'impressions', time);
  else if (event.type === 'click') bump(state.counts, 'clicks', time);
  else if (CONVERSION_TYPES.has(event.type)) bump(state.counts, 'conversions', time);
  else addRating(state, event);
}

function addRating(state: UserState | ItemState, event: InteractionEvent): void {
  if (event.type !== 'rating' || event.rating === undefined) return;
  state.rating_count = (state.rating_count ?? 0) + 1;
  state.rating_sum = (state.rating_sum ?? 0) + event.rating;
}

/** Count and mean of the ratings a state holds. */
function ratings(state: UserState | ItemState): { rating_count: number; rating_mean: number } {
  const count = state.rating_count ?? 0;
  return { rating_count: count, rating_mean: count > 0 ? (state.rating_sum ?? 0) / count : 0 };
}

/** The user's views as of its latest event. */
export function materializeUser(state: UserState, options: AggregationOptions): { user_activity: UserActivity; user_sequence: UserSequence } {
  return { user_activity: materializeUserActivity(state, options), user_sequence: { items: state.sequence.slice() } };
}

/** The user's activity view alone, as of its latest event (the one of its views feature history keeps). */
export function materializeUserActivity(state: UserState, options: AggregationOptions): UserActivity {
  const asOf = state.time;
  prune(state.counts, asOf);
  const activity = userActivity.defaults();
  const categories: [string, WindowSums][] = [];
  const tags: [string, WindowSums][] = [];
  for (const [key, counts] of Object.entries(state.counts)) {
    const [kind, name] = splitKey(key);
    if (kind === 'type') activity.counts[name as keyof UserActivity['counts']] = windowSums(counts, asOf);
    else (kind === 'tag' ? tags : categories).push([name, windowSums(counts, asOf)]);
  }
  activity.category_counts = mostActive(categories, options.maxCategories);
  activity.tag_counts = mostActive(tags, options.maxTags);
  activity.last_active_ms = state.last_active_ms;
  Object.assign(activity, ratings(state));
  return activity;
}

/** The item's views as of its latest event. */
export function materializeItem(state: ItemState, options: AggregationOptions): { item_stats: ItemStats } {
  const asOf = state.time;
  prune(state.counts, asOf);
  const impressions = windowSums(state.counts.impressions, asOf);
  const clicks = windowSums(state.counts.clicks, asOf);
  const conversions = windowSums(state.counts.conversions, asOf);
  const hourly = (sum(impressions, '24h') + sum(clicks, '24h')) / 24;
  const trend = (sum(impressions, '1h') + sum(clicks, '1h') + 1) / (hourly + 1);
  const ctr24h = ctr(sum(clicks, '24h'), sum(impressions, '24h'), options);
  return { item_stats: { impressions, clicks, conversions, ctr_24h: ctr24h, ctr_7d: ctr(sum(clicks, '7d'), sum(impressions, '7d'), options), trend, ...ratings(state) } };
}

/** Smoothed click-through rate. */
function ctr(clicks: number, impressions: number, options: AggregationOptions): number {
  return (clicks + options.ctrPrior * options.ctrStrength) / (impressions + options.ctrStrength);
}

/** Fields named after a window read zero counts under a catalogue without that window. */
function sum(sums: WindowSums, window: string): number {
  return sums[window] ?? 0;
}

function bump(counts: Record<string, WindowedCounts>, key: string, time: number): void {
  counts[key] = addCount(counts[key], time);
}

/** The `max` names with the most counts over the catalogue's longest window, ties by name. */
function mostActive(counts: [string, WindowSums][], max: number): Record<string, WindowSums> {
  const longest = viewCatalogue().windows.at(-1)!.name;
  counts.sort((a, b) => b[1][longest]! - a[1][longest]! || (a[0] < b[0] ? -1 : 1));
  return Object.fromEntries(counts.slice(0, max));
}

function prune(counts: Record<string, WindowedCounts>, asOf: number): void {
  for (const [key, windowed] of Object.entries(counts)) if (pruneCounts(windowed, asOf)) delete counts[key];
}

function splitKey(key: string): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), key.slice(colon + 1)];
}

function sessionPairs(sequence: readonly SequenceEntry[], click: InteractionEvent, options: AggregationOptions): CovisitPair[] {
  const pairs: CovisitPair[] = [];
  for (let i = sequence.length - 1; i >= 0 && pairs.length < options.maxSessionClicks; i--) {
    const earlier = sequence[i]!;
    if (earlier.type !== 'click' || earlier.item_id === click.item_id) continue;
    if (Math.abs(click.event_time - earlier.time) <= options.sessionGapMs) pairs.push([earlier.item_id, click.item_id]);
  }
  return pairs;
}

function insertByTime(sequence: SequenceEntry[], entry: SequenceEntry, limit: number): void {
  let at = sequence.length;
  while (at > 0 && sequence[at - 1]!.time > entry.time) at--;
  sequence.splice(at, 0, entry);
  if (sequence.length > limit) sequence.splice(0, sequence.length - limit);
}
