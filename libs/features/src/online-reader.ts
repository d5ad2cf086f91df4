import type { Redis } from 'ioredis';
import { NonRetriableError } from '@recstream/platform';
import { withScripts, type ScriptedRedis } from './scripts.js';
import { KeyLayout } from './keys.js';
import { ITEM_VIEWS, USER_VIEWS, itemAttributes, itemStats, userActivity, userProfile, userSequence } from './views.js';
import type { FeatureView, ItemAttributes, ItemStats, UserActivity, UserProfile, UserSequence } from './views.js';

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

export interface OnlineReaderOptions {
  namespace: string;
  /** Most items one read may ask for. */
  maxItems: number;
}

export const DEFAULT_ONLINE_READER_OPTIONS: OnlineReaderOptions = { namespace: 'fs', maxItems: 1_000 };

const USER_FIELDS = USER_VIEWS.map((view) => view.name);
const ITEM_FIELDS = ITEM_VIEWS.map((view) => view.name);

/**
 * The online read API: one user's and a few hundred items' features in one
 * Redis call (lua/read-features.lua, HMGET of the view fields only), typed,
 * with each view's defaults where the store has nothing.
 */
export class OnlineFeatureReader {
  private readonly keys: KeyLayout;
  private readonly options: OnlineReaderOptions;
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis, options: Partial<OnlineReaderOptions> = {}) {
    this.options = { ...DEFAULT_ONLINE_READER_OPTIONS, ...options };
    this.keys = new KeyLayout(this.options.namespace);
    this.redis = withScripts(redis);
  }

  async read(request: { userId: string; itemIds: readonly string[] }): Promise<OnlineFeatures> {
    const { userId, itemIds } = request;
    if (itemIds.length > this.options.maxItems) {
      throw new NonRetriableError(`asked for ${itemIds.length} items; the limit is ${this.options.maxItems}, split the request`);
    }
    const keys = [this.keys.entity('user', userId), ...itemIds.map((itemId) => this.keys.entity('item', itemId))];
    const replies = await this.redis.readFeatures(keys.length, ...keys, String(USER_FIELDS.length), ...USER_FIELDS, ...ITEM_FIELDS);
    const fields = (i: number) => replies[i] ?? [];
    const [activity, sequence, profile] = fields(0);
    const user: UserFeatures = {
      user_id: userId,
      found: activity != null || sequence != null || profile != null,
      user_activity: decode(userActivity, activity),
      user_sequence: decode(userSequence, sequence),
      user_profile: decode(userProfile, profile),
    };
    const items = itemIds.map((itemId, i): ItemFeatures => {
      const [stats, attributes] = fields(i + 1);
      return {
        item_id: itemId,
        found: stats != null || attributes != null,
        item_stats: decode(itemStats, stats),
        item_attributes: decode(itemAttributes, attributes),
      };
    });
    return { user, items };
  }

  /** The items most often clicked in the same session as `itemId`, highest count first. */
  async covisited(itemId: string, limit = 50): Promise<{ item_id: string; count: number }[]> {
    const flat = await this.redis.zrange(this.keys.covisit(itemId), 0, limit - 1, 'REV', 'WITHSCORES');
    const items: { item_id: string; count: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) items.push({ item_id: flat[i]!, count: Number(flat[i + 1]) });
    return items;
  }
}

const viewKeys = new Map<string, string[]>();

/**
 * Stored values, with the view's defaults for keys they lack (a field added
 * to a view reads as its default until the entity is rewritten). Defaults are
 * built only when something is missing: reads decode hundreds of views.
 */
function decode<V>(view: FeatureView<string, V>, stored: string | null | undefined): V {
  if (stored == null) return view.defaults();
  const values = JSON.parse(stored) as Record<string, unknown>;
  let keys = viewKeys.get(view.name);
  if (!keys) viewKeys.set(view.name, (keys = Object.keys(view.defaults() as object)));
  if (keys.some((key) => !(key in values))) return { ...view.defaults(), ...values };
  return values as V;
}
