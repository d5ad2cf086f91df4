import { decodeArtifact, modelFromArtifact, type RecModel } from '@recstream/models';

/**
 * A registered model ready for online updating: `sparseLearningRate`, when
 * given, replaces the rate it was trained with. Adagrad's per-row
 * accumulators, grown over offline epochs, leave the offline rate too small
 * to follow a change of taste within a few interactions.
 */
export function modelForUpdating(artifact: Uint8Array, sparseLearningRate?: number): RecModel {
  const decoded = decodeArtifact(artifact);
  if (sparseLearningRate === undefined) return modelFromArtifact(decoded);
  return modelFromArtifact({ ...decoded, config: { ...decoded.config, sparseLearningRate } });
}
