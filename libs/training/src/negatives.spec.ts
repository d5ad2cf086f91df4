import { describe, expect, it } from 'vitest';
import { createRandom, encodeRows, vocabularyId, type EncodableRow, type FeatureSpec } from '@recstream/models';
import { NegativeSampler } from './negatives.js';

const SPEC: FeatureSpec = { contextFields: ['device', 'item_category', 'user_country'], historyLength: 2, historyCategories: true };
const sequence = [{ item_id: 'h1', category: 'ch' }];
const row = (user: string, item: string, label: number): EncodableRow => ({
  userId: user,
  itemId: item,
  time: 0,
  context: { device: 'mobile' },
  sequence,
  features: { item_category: `cat-${item}`, user_country: `country-${user}` },
  label,
});
const batch = encodeRows(SPEC, [row('u1', 'a', 1), row('u2', 'b', 1), row('u3', 'c', 1), row('u3', 'd', 0)]);

describe('NegativeSampler', () => {
  it("gives each negative its own item's fields and keeps the positive's user, context and history", () => {
    const sampler = new NegativeSampler(3, SPEC);
    sampler.observe(batch);
    const out = sampler.augment(batch, createRandom(1));
    expect(out.size).toBe(3 * 4);
    const categoryOf = new Map(['a', 'b', 'c', 'd'].map((item) => [vocabularyId(item), vocabularyId(`cat-${item}`)]));
    for (let k = 0; k < out.size; k++) {
      const positive = Math.floor(k / 4);
      expect(out.context![1]![k]).toBe(categoryOf.get(out.itemIds[k]!));
      expect(out.context![0]![k]).toBe(batch.context![0]![positive]);
      expect(out.context![2]![k]).toBe(batch.context![2]![positive]);
      expect(out.userIds[k]).toBe(batch.userIds[positive]);
      expect(Array.from(out.historyCategories!.subarray(k * 2, k * 2 + 2))).toEqual([-1, vocabularyId('ch')]);
      expect(out.labels![k]).toBe(k % 4 === 0 ? 1 : 0);
    }
    // Sampled items differ from the positive's, so a copied category column would have shown above.
    expect(Array.from(out.itemIds).some((item, k) => k % 4 > 0 && item !== batch.itemIds[Math.floor(k / 4)])).toBe(true);
  });
});
