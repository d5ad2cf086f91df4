import * as tf from '@tensorflow/tfjs-core';
import { NonRetriableError } from '@recstream/platform';
import type { Batch, FeatureSpec } from '../batch.js';
import { denseLayer, mlp, mlpShapes, type ParamShape } from '../dense/dense-params.js';
import { COMMON_DEFAULTS, type CommonConfig, type ModelArtifact } from '../model.js';
import { TfModel, type ForwardResult, type Lookup, type TableShape } from './tf-model.js';
import { SHARED_PARAMS, type SearchSpace } from '../tuning/search-space.js';

export interface NeuMfConfig extends CommonConfig {
  /** 'gmf' and 'mlp' are the two halves alone, trained to pretrain NeuMF. */
  variant: 'neumf' | 'gmf' | 'mlp';
  gmfDim: number;
  mlpDim: number;
  /** Hidden layer widths of the MLP half; its input is the concatenated user and item vectors. */
  mlpLayers: number[];
}

export const NEUMF_DEFAULTS: NeuMfConfig = {
  ...COMMON_DEFAULTS,
  variant: 'neumf',
  gmfDim: 16,
  mlpDim: 16,
  mlpLayers: [32, 16, 8],
};

/** What hyperparameter search may change for NeuMF (see libs/models/src/tuning). */
export const NEUMF_SEARCH_SPACE: SearchSpace = {
  params: {
    gmfDim: { type: 'choice', values: [8, 16, 32, 64] },
    mlpDim: { type: 'choice', values: [8, 16, 32, 64] },
    sparseLearningRate: { type: 'log', low: 0.01, high: 0.3 },
    denseLearningRate: { type: 'log', low: 0.0005, high: 0.02 },
    ...SHARED_PARAMS,
    batchSize: { type: 'choice', values: [256, 512, 1024, 2048, 4096] },
  },
  maxEpochs: 20,
};

/**
 * NeuMF: generalised matrix factorisation and an MLP over user and item
 * embeddings, fused by one output layer (He et al. 2017, "Neural
 * Collaborative Filtering").
 */
export class NeuMfModel extends TfModel<NeuMfConfig> {
  private readonly useGmf: boolean;
  private readonly useMlp: boolean;
  constructor(config: Partial<NeuMfConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...NEUMF_DEFAULTS, ...config };
    const useGmf = full.variant !== 'mlp';
    const useMlp = full.variant !== 'gmf';
    const tables: TableShape[] = [];
    const dense: ParamShape[] = [];
    let outWidth = 0;
    if (useGmf) {
      tables.push({ name: 'gmf_user', dim: full.gmfDim }, { name: 'gmf_item', dim: full.gmfDim });
      outWidth += full.gmfDim;
    }
    if (useMlp) {
      tables.push({ name: 'mlp_user', dim: full.mlpDim }, { name: 'mlp_item', dim: full.mlpDim });
      dense.push(...mlpShapes('mlp', 2 * full.mlpDim, full.mlpLayers));
      outWidth += full.mlpLayers.at(-1) ?? 2 * full.mlpDim;
    }
    dense.push({ name: 'out.w', shape: [outWidth, 1], init: 'glorot' }, { name: 'out.b', shape: [1], init: 'zeros' });
    super('neumf', full, spec, { tables, dense, kernels: ['Slice'] }, artifact);
    this.useGmf = useGmf;
    this.useMlp = useMlp;
  }

  protected lookups(batch: Batch): Lookup[] {
    const lookups: Lookup[] = [];
    if (this.useGmf) lookups.push({ table: 'gmf_user', ids: batch.userIds }, { table: 'gmf_item', ids: batch.itemIds });
    if (this.useMlp) lookups.push({ table: 'mlp_user', ids: batch.userIds }, { table: 'mlp_item', ids: batch.itemIds });
    return lookups;
  }

  protected forward(embedded: tf.Tensor2D[]): ForwardResult {
    const halves: tf.Tensor2D[] = [];
    let next = 0;
    if (this.useGmf) {
      halves.push(tf.mul(embedded[next]!, embedded[next + 1]!));
      next += 2;
    }
    if (this.useMlp) {
      halves.push(mlp(this.params, 'mlp', this.config.mlpLayers.length, [embedded[next]!, embedded[next + 1]!]));
    }
    const logits = denseLayer(this.params, 'out', halves);
    return { logits: tf.reshape(logits, [-1]) };
  }
}

/**
 * NeuMF initialised from a trained GMF and a trained MLP, as the paper's
 * pretraining does: both halves' embeddings and layers are copied and the
 * output layer is their weighted concatenation (`alpha` for GMF).
 */
export function neuMfFromPretrained(gmf: NeuMfModel, mlpModel: NeuMfModel, alpha = 0.5): NeuMfModel {
  if (gmf.config.variant !== 'gmf' || mlpModel.config.variant !== 'mlp') {
    throw new NonRetriableError('pretraining needs a gmf and an mlp variant');
  }
  const g = gmf.toArtifact();
  const m = mlpModel.toArtifact();
  const scale = (values: Float32Array, factor: number) => values.map((v) => v * factor);
  const outW = new Float32Array([...scale(g.dense['out.w']!.values, alpha), ...scale(m.dense['out.w']!.values, 1 - alpha)]);
  const outB = new Float32Array([alpha * g.dense['out.b']!.values[0]! + (1 - alpha) * m.dense['out.b']!.values[0]!]);
  const config: NeuMfConfig = { ...mlpModel.config, gmfDim: gmf.config.gmfDim, variant: 'neumf' };
  const artifact: ModelArtifact = {
    kind: 'neumf',
    config: { ...config },
    spec: mlpModel.spec,
    tables: { ...g.tables, ...m.tables },
    dense: {
      ...m.dense,
      'out.w': { shape: [outW.length, 1], values: outW },
      'out.b': { shape: [1], values: outB },
    },
  };
  return new NeuMfModel(config, mlpModel.spec, artifact);
}
