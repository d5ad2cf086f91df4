import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { FeatureSpec } from '../batch.js';
import { plantedSequences } from '../../testing/planted-data.js';
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
});
