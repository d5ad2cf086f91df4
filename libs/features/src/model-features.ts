import type { ModelFeatures } from '@recstream/schemas';
import { itemAttributes, itemStats, userActivity, userProfile, userSequence, type ItemAttributes, type ItemStats, type UserActivity, type UserProfile, type UserSequence } from './views.js';

/** The user's views, as a sample carries them (point-in-time) or the online store returns them. */
export interface UserViews {
  user_activity: UserActivity;
  user_sequence: UserSequence;
  user_profile: UserProfile;
}

/** The item's views, likewise. */
export interface ItemViews {
  item_stats: ItemStats;
  item_attributes: ItemAttributes;
}

/** The views of a user the stores hold nothing for (or that could not be read): every view's defaults. */
export const DEFAULT_USER_VIEWS: UserViews = { user_activity: userActivity.defaults(), user_sequence: userSequence.defaults(), user_profile: userProfile.defaults() };
export const DEFAULT_ITEM_VIEWS: ItemViews = { item_stats: itemStats.defaults(), item_attributes: itemAttributes.defaults() };

const DAY_MS = 86_400_000;

/**
 * The model features of one (user, item) pair at `time`, from their feature
 * views: the one derivation the trainer (from the point-in-time join) and
 * serving (from the online store) share, so a model reads the same values
 * offline and online. Values the views do not hold are left out (unknown).
 */
export function modelFeatures(user: UserViews, item: ItemViews, time: number): ModelFeatures {
  return userModelFeatures(user)(item, time);
}

/** `modelFeatures` of one user with any item: what depends on the user alone is derived once, for serving's many candidates. */
export function userModelFeatures(user: UserViews): (item: ItemViews, time: number) => ModelFeatures {
  // A Map: looked up as a property name, an item's category (a string read from its row, not a literal) cost more per candidate (serving-request-path-cpu.md).
  const categories = new Map(Object.entries(user.user_activity.category_counts));
  let total = 0;
  for (const sums of categories.values()) total += sums['7d'] ?? 0;
  const country = user.user_profile.attributes.country;
  const userCountry = country === undefined ? undefined : String(country);
  const last = user.user_sequence.items.at(-1)?.category;
  const userClicks = user.user_activity.counts.click?.['7d'] ?? 0;
  const tags = new Map(Object.entries(user.user_activity.tag_counts));
  let tagTotal = 0;
  for (const sums of tags.values()) tagTotal += sums['7d'] ?? 0;
  return (item, time) => {
    const features: ModelFeatures = {};
    const category = item.item_attributes.categories[0];
    if (category !== undefined) {
      features.item_category = category;
      const sums = categories.get(category);
      features.user_category_7d = sums?.['7d'] ?? 0;
      features.user_category_24h = sums?.['24h'] ?? 0;
      features.user_category_share_7d = total > 0 ? features.user_category_7d / total : 0;
    }
    const itemTags = item.item_attributes.tags;
    if (itemTags.length > 0) {
      features.item_tag = itemTags[0];
      let onItemTags = 0;
      for (const tag of itemTags) onItemTags += tags.get(tag)?.['7d'] ?? 0;
      features.user_tag_affinity = tagTotal > 0 ? onItemTags / tagTotal : 0;
    }
    if (userCountry !== undefined) features.user_country = userCountry;
    if (last !== undefined) features.last_category = last;
    features.user_clicks_7d = userClicks;
    const stats = item.item_stats;
    features.item_ctr_7d = stats.ctr_7d;
    features.item_clicks_7d = stats.clicks['7d'] ?? 0;
    features.item_impressions_7d = stats.impressions['7d'] ?? 0;
    features.item_trend = stats.trend;
    const created = item.item_attributes.created_time;
    if (created !== null) features.item_age_days = Math.max(0, (time - created) / DAY_MS);
    return features;
  };
}
