import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { FeatureSpec } from '../batch.js';
import { plantedSequences } from '../../testing/planted-data.js';
import { trainingBatches } from '../training/training-batches.js';
import { NeuMfModel, neuMfFromPretrained } from './neumf.js';

const spec: FeatureSpec = { contextFields: [], historyLength: 0 };
const batches = [...trainingBatches(plantedSequences({ users: 40, interactionsPerUser: 10 }), spec, { batchSize: 128 })];
const logit = (p: number) => Math.log(p / (1 - p));

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('neuMfFromPretrained', () => {
  it('starts NeuMF at the alpha-weighted sum of the pretrained GMF and MLP logits', () => {
    const gmf = new NeuMfModel({ variant: 'gmf' }, spec);
    const mlp = new NeuMfModel({ variant: 'mlp' }, spec);
    for (const batch of batches) {
      gmf.trainStep(batch);
      mlp.trainStep(batch);
    }
    const neumf = neuMfFromPretrained(gmf, mlp, 0.3);
    const probe = batches[0]!;
    const [g, m, n] = [gmf.score(probe), mlp.score(probe), neumf.score(probe)];
    for (let i = 0; i < probe.size; i++) {
      expect(logit(n[i]!)).toBeCloseTo(0.3 * logit(g[i]!) + 0.7 * logit(m[i]!), 3);
    }
    expect(neumf.config.variant).toBe('neumf');
    expect(() => neuMfFromPretrained(mlp, gmf)).toThrow(/gmf and an mlp/);
  });
});
