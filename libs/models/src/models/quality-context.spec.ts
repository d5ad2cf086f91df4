import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { Batch, FeatureSpec } from '../batch.js';
import { auc } from '../metrics/classification.js';
import { plantedClicks } from '../../testing/planted-data.js';
import { fit } from '../training/fit.js';
import { trainingBatches } from '../training/training-batches.js';
import { createModel } from './factory.js';

const clicks = plantedClicks();
const cut = Math.floor(clicks.length * 0.8);
const train = clicks.slice(0, cut);
const test = clicks.slice(cut);

async function testAuc(withContext: boolean): Promise<number> {
  const spec: FeatureSpec = { contextFields: withContext ? ['device', 'hour'] : [], historyLength: 0 };
  const model = createModel('deepfm', spec);
  await fit(model, train, spec, { epochs: 3, batchSize: 512 });
  const scores: number[] = [];
  const labels: number[] = [];
  for (const batch of trainingBatches(test, spec, { batchSize: 4096 }) as Iterable<Batch>) {
    scores.push(...model.score(batch));
    labels.push(...batch.labels!);
  }
  model.dispose();
  return auc(scores, labels);
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('DeepFM on data with planted context effects', () => {
  it('reads device and hour: AUC at least 0.07 above the same model without context', { timeout: 120_000 }, async () => {
    const contextFree = await testAuc(false);
    const withContext = await testAuc(true);
    // Thresholds sit below the measured values in docs/decisions/quality-test-thresholds.md.
    expect(withContext).toBeGreaterThan(contextFree + 0.07);
    expect(withContext).toBeGreaterThan(0.75);
  });
});


