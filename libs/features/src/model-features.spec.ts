import { describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_VIEWS, DEFAULT_USER_VIEWS, modelFeatures, type ItemViews, type UserViews } from './model-features.js';

const user: UserViews = {
  ...DEFAULT_USER_VIEWS,
  // As the online store decodes it: the counts parsed from JSON, the item's category a string from its own row.
  user_activity: { ...DEFAULT_USER_VIEWS.user_activity, category_counts: JSON.parse('{"shoes":{"7d":3,"24h":1},"hats":{"7d":1}}') },
};
const itemIn = (category: string): ItemViews => ({ ...DEFAULT_ITEM_VIEWS, item_attributes: { ...DEFAULT_ITEM_VIEWS.item_attributes, categories: JSON.parse(JSON.stringify([category])) } });

describe('modelFeatures', () => {
  it("reads the user's counts in the item's category and their share of the user's week", () => {
    expect(modelFeatures(user, itemIn('shoes'), 0)).toMatchObject({ item_category: 'shoes', user_category_7d: 3, user_category_24h: 1, user_category_share_7d: 0.75 });
    expect(modelFeatures(user, itemIn('hats'), 0)).toMatchObject({ user_category_7d: 1, user_category_24h: 0, user_category_share_7d: 0.25 });
  });

  it('reads 0 for a category the user has no counts in, even one named like an inherited property', () => {
    for (const category of ['socks', 'toString', 'constructor', '__proto__']) {
      expect(modelFeatures(user, itemIn(category), 0)).toMatchObject({ item_category: category, user_category_7d: 0, user_category_24h: 0, user_category_share_7d: 0 });
    }
  });
});
