import { NonRetriableError } from '@recstream/platform';
import { MODEL_KINDS } from '@recstream/schemas';
import { decodeArtifact, encodeArtifact } from '../artifact.js';
import type { FeatureSpec } from '../batch.js';
import type { ModelArtifact, ModelKind, RecModel } from '../model.js';
import { MfModel } from './mf.js';
import { NeuMfModel } from './neumf.js';
import { TwoTowerModel } from './two-tower.js';
import { DeepFmModel } from './deepfm.js';
import { DinModel } from './din.js';
import { DienModel } from './dien.js';

type Factory = (config: Record<string, unknown>, spec: FeatureSpec, artifact?: ModelArtifact) => RecModel;

const FACTORIES: Record<ModelKind, Factory> = {
  mf: (config, spec, artifact) => new MfModel(config, spec, artifact),
  neumf: (config, spec, artifact) => new NeuMfModel(config, spec, artifact),
  twotower: (config, spec, artifact) => new TwoTowerModel(config, spec, artifact),
  deepfm: (config, spec, artifact) => new DeepFmModel(config, spec, artifact),
  din: (config, spec, artifact) => new DinModel(config, spec, artifact),
  dien: (config, spec, artifact) => new DienModel(config, spec, artifact),
};

/** A fresh model of `kind`; `config` overrides that model's defaults. Call `selectBackend` first for tfjs models. */
export function createModel(kind: ModelKind, spec: FeatureSpec, config: Record<string, unknown> = {}): RecModel {
  const factory = FACTORIES[kind];
  if (!factory) throw new NonRetriableError(`unknown model kind ${kind}; known: ${MODEL_KINDS.join(', ')}`);
  return factory(config, spec);
}

export function modelFromArtifact(artifact: ModelArtifact): RecModel {
  const factory = FACTORIES[artifact.kind];
  if (!factory) throw new NonRetriableError(`artifact holds unknown model kind ${artifact.kind}`);
  return factory(artifact.config, artifact.spec, artifact);
}

/** The model as one binary buffer (see `encodeArtifact`). */
export function serializeModel(model: RecModel): Uint8Array {
  return encodeArtifact(model.toArtifact());
}

export function deserializeModel(bytes: Uint8Array): RecModel {
  return modelFromArtifact(decodeArtifact(bytes));
}
