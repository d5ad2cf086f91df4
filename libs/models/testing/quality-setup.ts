import type { FeatureSpec } from '../src/batch.js';
import { evaluateRanking, leaveLatestOut } from '../src/eval/ncf-protocol.js';
import type { ModelKind } from '../src/model.js';
import { createModel } from '../src/models/factory.js';
import { fit, type FitOptions } from '../src/training/fit.js';
import { plantedSequences } from './planted-data.js';

/** Shared by the quality specs: planted sequences split by the NCF protocol. */
export const QUALITY_SPEC: FeatureSpec = { contextFields: [], historyLength: 4 };
export const qualitySplit = leaveLatestOut(plantedSequences());

/** Training settings per model for the planted data, sized for CI. */
export const QUALITY_TRAINING: Record<ModelKind, Partial<FitOptions>> = {
  mf: { epochs: 8, batchSize: 512 },
  neumf: { epochs: 8, batchSize: 256 },
  twotower: { epochs: 8, batchSize: 256 },
  deepfm: { epochs: 6, batchSize: 256 },
  din: { epochs: 6, batchSize: 256 },
  dien: { epochs: 3, batchSize: 256 },
};

/** Trains a fresh model of `kind` on the planted data and returns its HR@10 and NDCG@10. */
export async function trainAndRank(kind: ModelKind): Promise<{ hitRate: number; ndcg: number }> {
  const model = createModel(kind, QUALITY_SPEC);
  await fit(model, qualitySplit.train, QUALITY_SPEC, QUALITY_TRAINING[kind]);
  const report = evaluateRanking(model, qualitySplit.cases, QUALITY_SPEC);
  model.dispose();
  return report;
}
