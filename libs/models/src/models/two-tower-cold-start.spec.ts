import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { FeatureSpec } from '../batch.js';
import { encodeRows, vocabularyId } from '../encoding.js';
import { hitAtK, rankOf } from '../metrics/ranking.js';
import { coldStartData, trainOnRows, type ColdCase } from '../../testing/cold-start.js';
import { TwoTowerModel } from './two-tower.js';

const data = coldStartData();
const EPOCHS = 4;
const CONFIG = { embeddingDim: 16, towerLayers: [32, 16] };
const WITH_ATTRIBUTES: FeatureSpec = { contextFields: ['item_category'], historyLength: 4, historyCategories: true };
const IDS_ONLY: FeatureSpec = { contextFields: [], historyLength: 4 };

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

/** HR@10 of each case's positive among its cold candidates. */
function coldHitRate(model: TwoTowerModel, cases: readonly ColdCase[]): number {
  let hits = 0;
  for (const { rows } of cases) hits += hitAtK(rankOf(model.score(encodeRows(model.spec, rows)), 0), 10);
  return hits / cases.length;
}

/** What a random order of each case's candidates scores on average. */
const randomHitRate = (cases: readonly ColdCase[]) => cases.reduce((sum, { rows }) => sum + Math.min(1, 10 / rows.length), 0) / cases.length;

describe('TwoTowerModel content-based cold start', () => {
  it('ranks items held out of training by their attributes, where an ids-only model is no better than random', () => {
    expect(data.cases.length).toBeGreaterThan(100);
    const attributes = new TwoTowerModel(CONFIG, WITH_ATTRIBUTES);
    trainOnRows(attributes, WITH_ATTRIBUTES, data.train, EPOCHS);
    const idsOnly = new TwoTowerModel(CONFIG, IDS_ONLY);
    trainOnRows(idsOnly, IDS_ONLY, data.train, EPOCHS);

    // Nothing about a held-out item was learned under its id.
    const items = attributes.tables().get('item')!;
    expect(data.coldItems.every((item) => items.row(vocabularyId(item), false) < 0)).toBe(true);

    // Measured values: docs/decisions/quality-test-thresholds.md.
    const random = randomHitRate(data.cases);
    const withAttributes = coldHitRate(attributes, data.cases);
    const withIdsOnly = coldHitRate(idsOnly, data.cases);
    expect(withAttributes).toBeGreaterThan(3 * random);
    expect(withIdsOnly).toBeLessThan(random + 0.05);
    attributes.dispose();
    idsOnly.dispose();
  });

  it('gives an unseen item the vector of its attributes: same category, same vector; another category, another', () => {
    const model = new TwoTowerModel(CONFIG, WITH_ATTRIBUTES);
    trainOnRows(model, WITH_ATTRIBUTES, data.train.slice(0, 2_000), 1);
    const row = (itemId: string, category: string) => ({ userId: 'u0', itemId, time: 0, context: {}, sequence: [], features: { item_category: category } });
    const vectors = model.itemVectors(encodeRows(WITH_ATTRIBUTES, [row('new-a', 'c1'), row('new-b', 'c1'), row('new-c', 'c2')]));
    const [a, b, c] = [0, 1, 2].map((i) => Array.from(vectors.subarray(i * 16, (i + 1) * 16)));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a!.some((x) => x !== 0)).toBe(true);
    model.dispose();
  });
});
