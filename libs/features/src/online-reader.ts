import type { Cluster } from 'ioredis';
import { NonRetriableError, isCluster, type RedisClient } from '@recstream/platform';
import type { ItemRowTracking } from './item-row-tracking.js';
import { KeyLayout } from './keys.js';
import { groupByNode, loadSlotMap, refreshSlotMap } from './redis-pipeline.js';
import { ROW_VIEWS, decodeView, rowSegment, rowSegments } from './rows.js';
import { withScripts, type ScriptCommands, type ScriptedRedis } from './scripts.js';
import { DEFAULT_FEATURE_NAMESPACE, itemAttributes, itemStats, userActivity, userProfile, userSequence } from './views.js';
import type { ItemAttributes, ItemStats, UserActivity, UserProfile, UserSequence } from './views.js';

export interface UserFeatures {
  user_id: string;
  /** False when the store holds nothing for the user: every value is a default. */
  found: boolean;
  user_activity: UserActivity;
  user_sequence: UserSequence;
  user_profile: UserProfile;
}

export interface ItemFeatures {
  item_id: string;
  found: boolean;
  item_stats: ItemStats;
  item_attributes: ItemAttributes;
}

export interface OnlineFeatures {
  user: UserFeatures;
  /** In the order of the request's item ids. */
  items: ItemFeatures[];
}

/** An item's co-visitation list: the items most often clicked in the same session, highest count first. */
export interface CovisitList {
  seed: string;
  items: { item_id: string; count: number }[];
}

export interface OnlineReaderOptions {
  namespace: string;
  /** Most items one read may ask for. */
  maxItems: number;
  /** Items whose last decoded row is kept (see OnlineFeatureReader); 0 keeps none. */
  decodedItems: number;
}

const USER_SEGMENTS = ROW_VIEWS.user.length;
/** user_sequence's place in the user row, counted from 1 as Lua does. */
const SEQUENCE_SEGMENT = rowSegment('user', userSequence.name) + 1;

export const DEFAULT_ONLINE_READER_OPTIONS: OnlineReaderOptions = { namespace: DEFAULT_FEATURE_NAMESPACE, maxItems: 1_000, decodedItems: 200_000 };

/**
 * The online read API: one user's and a few hundred items' features in one
 * Redis call (MGET of their feature rows, rows.ts), typed, with each view's
 * defaults where the store has nothing.
 *
 * On a Redis Cluster the rows lie in many slots: each node's share is read
 * by one script there (lua/read-rows.lua), the nodes in parallel.
 *
 * An item row that is the same string as last time is not decoded again:
 * serving reads the same popular items' rows for most requests
 * (docs/decisions/feature-row-key-layout.md). With an ItemRowTracking, such a row is not
 * even read again until Redis reports that it changed. The features returned
 * for a kept item are the same object each time, so callers must not change
 * them.
 */
export class OnlineFeatureReader {
  private readonly keys: KeyLayout;
  private readonly options: OnlineReaderOptions;
  private readonly redis: ScriptedRedis;
  private readonly clustered: boolean;
  /** Item rows asked for so far, by where they came from: `kept` in process (with tracking) or read from `redis`. */
  readonly itemRowReads = { kept: 0, redis: 0 };
  /** `current`: no change to the row has been reported since it was read (only ever true with tracking). */
  private readonly decodedItems = new Map<string, { row: string | null; features: ItemFeatures; current: boolean }>();

  constructor(
    redis: RedisClient,
    options: Partial<OnlineReaderOptions> = {},
    private readonly tracking?: ItemRowTracking,
  ) {
    this.options = { ...DEFAULT_ONLINE_READER_OPTIONS, ...options };
    this.clustered = isCluster(redis);
    if (this.clustered && tracking) throw new NonRetriableError('item row tracking needs one Redis; leave it out on a cluster');
    this.keys = new KeyLayout(this.options.namespace, this.clustered);
    this.redis = withScripts(redis);
    tracking?.onChange((itemId) => {
      if (itemId === null) for (const kept of this.decodedItems.values()) kept.current = false;
      else {
        const kept = this.decodedItems.get(itemId);
        if (kept) kept.current = false;
      }
    });
  }

  /** The user's and the items' features together. */
  async read(request: { userId: string; itemIds: readonly string[] }): Promise<OnlineFeatures> {
    const { userId, itemIds } = request;
    this.itemRowReads.redis += itemIds.length;
    const { rows, current } = await this.readRows([this.keys.row('user', userId), ...this.itemKeys(itemIds)]);
    return { user: userFeatures(userId, rows[0]), items: itemIds.map((itemId, i) => this.itemFeatures(itemId, rows[i + 1], current)) };
  }

  async readUser(userId: string): Promise<UserFeatures> {
    return userFeatures(userId, await this.redis.get(this.keys.row('user', userId)));
  }

  /**
   * The user's features and the co-visitation lists of their latest
   * `seeds` items (in user_sequence order, oldest first), `perSeed`
   * entries each, in one round trip: recall needs both before it can start.
   */
  async readUserWithCovisits(userId: string, seeds: number, perSeed: number): Promise<{ user: UserFeatures; covisited: CovisitList[] }> {
    if (this.clustered) return this.readUserThenCovisits(userId, seeds, perSeed);
    const rowKey = this.keys.row('user', userId);
    const [row, ...lists] = await this.redis.readUserCovisits(rowKey, this.keys.covisitPrefix, USER_SEGMENTS, SEQUENCE_SEGMENT, seeds, perSeed);
    const covisited: CovisitList[] = [];
    for (let i = 0; i < lists.length; i += 2) covisited.push({ seed: lists[i] as string, items: covisitEntries(lists[i + 1] as string[]) });
    return { user: userFeatures(userId, row as string | null), covisited };
  }

  /** readUserWithCovisits on a cluster, where the lists lie in other slots than the row: two round trips. */
  private async readUserThenCovisits(userId: string, seeds: number, perSeed: number): Promise<{ user: UserFeatures; covisited: CovisitList[] }> {
    const user = userFeatures(userId, await this.redis.get(this.keys.row('user', userId)));
    const seedIds = seeds > 0 ? user.user_sequence.items.slice(-seeds).map((entry) => entry.item_id) : [];
    const lists = await Promise.all(seedIds.map((seed) => this.redis.zrange(this.keys.covisit(seed), 0, perSeed - 1, 'REV', 'WITHSCORES')));
    return { user, covisited: seedIds.map((seed, i) => ({ seed, items: covisitEntries(lists[i]!) })) };
  }

  /** In the order of `itemIds`. */
  async readItems(itemIds: readonly string[]): Promise<ItemFeatures[]> {
    this.checkItemCount(itemIds);
    const features = new Array<ItemFeatures>(itemIds.length);
    const unread: string[] = [];
    const unreadAt: number[] = [];
    itemIds.forEach((itemId, i) => {
      const kept = this.decodedItems.get(itemId);
      if (kept?.current) features[i] = kept.features;
      else {
        unread.push(itemId);
        unreadAt.push(i);
      }
    });
    this.itemRowReads.kept += itemIds.length - unread.length;
    this.itemRowReads.redis += unread.length;
    if (unread.length === 0) return features;
    const { rows, current } = await this.readRows(unread.map((itemId) => this.keys.row('item', itemId)));
    unread.forEach((itemId, j) => (features[unreadAt[j]!] = this.itemFeatures(itemId, rows[j], current)));
    return features;
  }

  /** One MGET (one script per node on a cluster), and whether the item rows in it may be kept: no change was reported while it ran (ItemRowTracking). */
  private async readRows(keys: string[]): Promise<{ rows: (string | null)[]; current: boolean }> {
    const token = this.tracking?.readStarted() ?? null;
    const rows = this.clustered ? await this.readByNode(this.redis as Cluster & ScriptCommands, keys) : await this.redis.mget(keys);
    return { rows, current: this.tracking?.stillCurrent(token) ?? false };
  }

  /** On a cluster, where one MGET may only name keys of one slot: the keys grouped by node, one script on each. */
  private async readByNode(cluster: Cluster & ScriptCommands, keys: readonly string[]): Promise<(string | null)[]> {
    await loadSlotMap(cluster);
    const rows = new Array<string | null>(keys.length);
    await Promise.all(
      groupByNode(cluster, keys, (key) => key).map(async ({ items, at }) => (await readNodeRows(cluster, items)).forEach((row, i) => (rows[at[i]!] = row))),
    );
    return rows;
  }

  private itemFeatures(itemId: string, row: string | null | undefined, current: boolean): ItemFeatures {
    const stored = row ?? null;
    const decoded = this.decodedItems.get(itemId);
    if (decoded?.row === stored) {
      decoded.current = current;
      return decoded.features;
    }
    const features = itemFeatures(itemId, stored);
    if (this.options.decodedItems > 0) {
      // Bounded crudely: past the limit (a catalogue larger than it) start again.
      if (!decoded && this.decodedItems.size >= this.options.decodedItems) this.decodedItems.clear();
      this.decodedItems.set(itemId, { row: stored, features, current });
    }
    return features;
  }

  private itemKeys(itemIds: readonly string[]): string[] {
    this.checkItemCount(itemIds);
    return itemIds.map((itemId) => this.keys.row('item', itemId));
  }

  private checkItemCount(itemIds: readonly string[]): void {
    if (itemIds.length > this.options.maxItems) {
      throw new NonRetriableError(`asked for ${itemIds.length} items; the limit is ${this.options.maxItems}, split the request`);
    }
  }

  /** The items most often clicked in the same session as `itemId`, highest count first. */
  async covisited(itemId: string, limit = 50): Promise<CovisitList['items']> {
    return covisitEntries(await this.redis.zrange(this.keys.covisit(itemId), 0, limit - 1, 'REV', 'WITHSCORES'));
  }
}

/**
 * Rows the slot map puts on one node. When it was stale (a key is not on
 * that node, as after a reshard), the map is reloaded and these rows read
 * with one GET each, which the client redirects as needed.
 */
async function readNodeRows(cluster: Cluster & ScriptCommands, keys: readonly string[]): Promise<(string | null)[]> {
  try {
    return await cluster.readRows(keys[0]!, ...keys.slice(1));
  } catch (error) {
    if (!/non local key/.test((error as Error).message)) throw error;
    await refreshSlotMap(cluster);
    return Promise.all(keys.map((key) => cluster.get(key)));
  }
}

/** A co-visitation sorted set read WITHSCORES: item, count, item, count, ... */
function covisitEntries(flat: readonly string[]): CovisitList['items'] {
  const items: CovisitList['items'] = [];
  for (let i = 0; i < flat.length; i += 2) items.push({ item_id: flat[i]!, count: Number(flat[i + 1]) });
  return items;
}

function userFeatures(userId: string, row: string | null | undefined): UserFeatures {
  const [activity, sequence, profile] = rowSegments(row);
  return {
    user_id: userId,
    found: row != null,
    user_activity: decodeView(userActivity, activity),
    user_sequence: decodeView(userSequence, sequence),
    user_profile: decodeView(userProfile, profile),
  };
}

function itemFeatures(itemId: string, row: string | null): ItemFeatures {
  const [stats, attributes] = rowSegments(row);
  return { item_id: itemId, found: row != null, item_stats: decodeView(itemStats, stats), item_attributes: decodeView(itemAttributes, attributes) };
}
