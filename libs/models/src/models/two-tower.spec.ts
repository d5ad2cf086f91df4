import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { FeatureSpec } from '../batch.js';
import { plantedSequences } from '../../testing/planted-data.js';
import { encodeRows, type EncodableRow } from '../encoding.js';
import { trainingBatches } from '../training/training-batches.js';
import { TwoTowerModel } from './two-tower.js';

const spec: FeatureSpec = { contextFields: [], historyLength: 3 };
const batches = [...trainingBatches(plantedSequences({ users: 30, interactionsPerUser: 8 }), spec, { batchSize: 64 })];

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('TwoTowerModel retrieval vectors', () => {
  it('score a pair as the sigmoid of the dot product of its user and item vectors', () => {
    const model = new TwoTowerModel({ towerLayers: [16, 8] }, spec);
    for (const batch of batches) model.trainStep(batch);
    const probe = batches[0]!;
    const users = model.userVectors(probe);
    const items = model.itemVectors(probe);
    const scores = model.score(probe);
    expect(users).toHaveLength(probe.size * 8);
    for (let i = 0; i < probe.size; i++) {
      let dot = 0;
      for (let k = 0; k < 8; k++) dot += users[i * 8 + k]! * items[i * 8 + k]!;
      expect(scores[i]).toBeCloseTo(1 / (1 + Math.exp(-dot)), 5);
    }
    model.dispose();
  });

  it('reads user fields, the sequence and its categories in the user tower and item fields in the item tower only', () => {
    const sided: FeatureSpec = { contextFields: ['user_country', 'device', 'item_category'], historyLength: 3, historyCategories: true };
    const model = new TwoTowerModel({ towerLayers: [16, 8] }, sided);
    const row = (country: string, category: string, last: string): EncodableRow => ({
      userId: 'u',
      itemId: 'i',
      time: 0,
      context: { device: 'mobile' },
      sequence: [{ item_id: 'h', category: last }],
      features: { user_country: country, item_category: category },
      label: 1,
    });
    const rows = [row('de', 'books', 'toys'), row('fr', 'books', 'toys'), row('de', 'music', 'toys'), row('de', 'books', 'games')];
    // Train a step so every table the towers read has rows.
    model.trainStep(encodeRows(sided, rows));
    const batch = encodeRows(sided, rows);
    const users = model.userVectors(batch);
    const items = model.itemVectors(batch);
    const vector = (all: Float32Array, i: number) => Array.from(all.subarray(i * 8, (i + 1) * 8));
    expect(vector(users, 1)).not.toEqual(vector(users, 0));
    expect(vector(users, 2)).toEqual(vector(users, 0));
    expect(vector(users, 3)).not.toEqual(vector(users, 0));
    expect(vector(items, 1)).toEqual(vector(items, 0));
    expect(vector(items, 2)).not.toEqual(vector(items, 0));
    expect(vector(items, 3)).toEqual(vector(items, 0));
    model.dispose();
  });
});
