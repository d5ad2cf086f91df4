import type { FeatureSpec } from '../batch.js';
import type { Interaction } from '../data/interactions.js';
import type { RecModel } from '../model.js';
import { trainingBatches } from './training-batches.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Sampled negatives per implicit positive. */
  negatives: number;
  seed: number;
  /** Called after each batch, e.g. for a progress bar. */
  onBatch?: (progress: { epoch: number; samples: number; loss: number }) => void;
  /** Called after each epoch with its mean loss and training throughput. */
  onEpoch?: (summary: { epoch: number; loss: number; samples: number; seconds: number }) => void;
}

export const DEFAULT_FIT_OPTIONS: FitOptions = { epochs: 5, batchSize: 2048, negatives: 4, seed: 1 };

/** Training steps are synchronous; yielding this often keeps timers, signals and lock renewals alive. */
const YIELD_EVERY_MS = 200;

/** Trains `model` for whole epochs, reshuffling and resampling negatives each epoch (seeded). */
export async function fit(model: RecModel, train: Interaction[], spec: FeatureSpec, options: Partial<FitOptions> = {}): Promise<void> {
  const o = { ...DEFAULT_FIT_OPTIONS, ...options };
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let samples = 0;
    let lastYield = performance.now();
    for (const batch of trainingBatches(train, spec, { batchSize: o.batchSize, negatives: o.negatives, seed: o.seed + epoch })) {
      const loss = model.trainStep(batch);
      lossSum += loss * batch.size;
      samples += batch.size;
      o.onBatch?.({ epoch, samples, loss });
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    o.onEpoch?.({ epoch, loss: lossSum / Math.max(samples, 1), samples, seconds: (performance.now() - started) / 1000 });
  }
}
