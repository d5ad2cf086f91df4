import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ITEM_VIEWS, itemAttributes, itemStats, modelFeatures, userActivity, type ItemViews, type UserViews } from '@recstream/features';
import { createModel, createRandom, cross, encodeRows, numericFeatures, selectBackend, vocabularyId, type EncodableRow, type FeatureSpec } from '@recstream/models';
import type { ModelVersion } from '@recstream/registry';
import { MODEL_FEATURES } from '@recstream/schemas';
import { SCORING_POSITION, scoreCandidates, type RankingInput } from './ranking.js';

const T = Date.UTC(2026, 11, 7, 13);
const DAY = 86_400_000;
const BOUNDS = [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30];
/** A ranker reading the context, every model feature (user-side, item-side and of the pair) and crosses of both sides. */
const spec: FeatureSpec = (() => {
  const contextFields = ['device', 'hour', 'daypart', 'surface', 'position', ...Object.keys(MODEL_FEATURES), cross('item_category', 'last_category'), cross('item_category', 'device', 'daypart')];
  const fields = { contextFields, historyLength: 0 };
  return { ...fields, numericBuckets: Object.fromEntries(numericFeatures(fields).map((name) => [name, BOUNDS])) };
})();

const random = createRandom(11);
const sums = (week: number) => ({ '1h': 0, '24h': week, '7d': week });
const item = (i: number): ItemViews => ({
  item_stats: { ...itemStats.defaults(), ctr_7d: random.next() * 0.3, clicks: sums(i % 13), impressions: sums(i % 50), trend: (i % 7) - 3 },
  item_attributes: { ...itemAttributes.defaults(), categories: [`c${i % 6}`], created_time: i % 4 === 0 ? null : T - (i % 40) * DAY },
});
const user = (u: number): UserViews => ({
  user_activity: { ...userActivity.defaults(), counts: { ...userActivity.defaults().counts, click: sums(u) }, category_counts: { c1: sums(u % 5), c2: sums(3), [`c${u % 6}`]: sums(2) } },
  user_sequence: { items: [{ item_id: `i${u}`, type: 'click', time: T - 60_000, category: `c${u % 3}` }] },
  user_profile: { attributes: u % 3 === 0 ? {} : { country: u % 2 ? 'DE' : 'FR' } },
});
const ITEMS = Array.from({ length: 60 }, (_, i) => item(i));
const USERS = Array.from({ length: 8 }, (_, u) => user(u));

/** One candidate as the trainer would build its row: the features derived for the pair alone. */
const referenceRow = (input: RankingInput, i: number): EncodableRow => ({
  userId: input.userId,
  itemId: input.candidates[i]!.item.id,
  time: input.time,
  context: { ...input.context, position: SCORING_POSITION },
  sequence: input.user!.user_sequence.items,
  features: modelFeatures(input.user!, input.items?.[i] ?? DEFAULT_ITEM_VIEWS, input.time),
});

function request(u: number, items: number[], withItemViews = true): RankingInput {
  return {
    userId: `u${u}`,
    user: USERS[u],
    ...(withItemViews && { items: items.map((i) => ITEMS[i]!) }),
    context: { surface: 'home', device: 'mobile' },
    time: T,
    candidates: items.map((i) => ({ item: { id: `i${i}`, vocabId: vocabularyId(`i${i}`), categories: [], tags: [], available: true, createdMs: null }, sources: ['ann'], fusedScore: 0 })),
  };
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('scoreCandidates', () => {
  it("scores and logs each candidate as its row built and scored alone would be, the user's side derived once", () => {
    const model = createModel('deepfm', spec, { seed: 2 });
    for (let step = 0; step < 20; step++) {
      const rows = Array.from({ length: 64 }, (): EncodableRow => {
        const input = request(Math.floor(random.next() * USERS.length), [Math.floor(random.next() * ITEMS.length)]);
        return { ...referenceRow(input, 0), context: { surface: random.next() < 0.5 ? 'home' : 'detail', device: 'mobile', position: Math.floor(random.next() * 10) }, label: random.next() < 0.3 ? 1 : 0 };
      });
      model.trainStep(encodeRows(spec, rows));
    }
    const served = { role: 'ranking' as const, version: {} as ModelVersion, model };
    const inputs = [request(1, Array.from({ length: 50 }, (_, i) => i)), request(3, [5, 17, 17, 42, 8, 59, 0]), request(4, [3, 9, 27], false), request(6, [11])];
    for (const input of inputs) {
      const { scores, features } = scoreCandidates(served, input);
      expect(scores).toHaveLength(input.candidates.length);
      input.candidates.forEach((_, i) => {
        const row = referenceRow(input, i);
        expect(features![i]).toEqual(row.features);
        expect(scores[i]).toBe(model.score(encodeRows(spec, [row]))[0]);
      });
    }
    expect(new Set(scoreCandidates(served, inputs[0]!).scores).size).toBeGreaterThan(10);
    model.dispose();
  });
});
