import * as tf from '@tensorflow/tfjs-core';
import type { Batch, FeatureSpec } from '../batch.js';
import { mlp, mlpShapes } from '../dense/dense-params.js';
import { COMMON_DEFAULTS, type CommonConfig, type ModelArtifact } from '../model.js';
import { TfModel, historyMask, type ForwardResult, type Lookup } from './tf-model.js';
import { alongSequence, sequenceLookups, sequenceTables, topLogits, topShapes } from './sequence-features.js';
import { DENSE_LEARNING_RATE, SHARED_PARAMS, HISTORY_PARAM, type SearchSpace } from '../tuning/search-space.js';

export interface DinConfig extends CommonConfig {
  embeddingDim: number;
  /** Hidden widths of the attention unit (a linear output follows). */
  attentionLayers: number[];
  topLayers: number[];
}

export const DIN_DEFAULTS: DinConfig = {
  ...COMMON_DEFAULTS,
  embeddingDim: 16,
  attentionLayers: [32],
  topLayers: [64, 32],
};

/** What hyperparameter search may change for DIN (see libs/models/src/tuning). */
export const DIN_SEARCH_SPACE: SearchSpace = {
  params: {
    embeddingDim: { type: 'choice', values: [8, 16, 32] },
    sparseLearningRate: { type: 'log', low: 0.01, high: 0.3 },
    denseLearningRate: DENSE_LEARNING_RATE,
    ...SHARED_PARAMS,
    historyLength: HISTORY_PARAM,
  },
  maxEpochs: 10,
};

/**
 * DIN: a local activation unit weighs each behaviour by its relevance to the
 * candidate (an MLP over behaviour, candidate, their difference and product),
 * and the weighted sum, unnormalised as in the paper, joins user, candidate
 * and context in the top MLP (Zhou et al. 2018, "Deep Interest Network for
 * Click-Through Rate Prediction").
 */
export class DinModel extends TfModel<DinConfig> {
  constructor(config: Partial<DinConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...DIN_DEFAULTS, ...config };
    const d = full.embeddingDim;
    super(
      'din',
      full,
      spec,
      {
        tables: sequenceTables(spec, d),
        dense: [
          ...mlpShapes('att', 4 * d, full.attentionLayers),
          ...mlpShapes('att_out', full.attentionLayers.at(-1) ?? 4 * d, [1]),
          ...topShapes((3 + spec.contextFields.length) * d, full.topLayers),
        ],
        kernels: ['Slice'],
      },
      artifact,
    );
  }
  protected lookups(batch: Batch): Lookup[] {
    return sequenceLookups(this.spec, batch);
  }

  protected forward(embedded: tf.Tensor2D[], batch: Batch): ForwardResult {
    const [user, candidate, historyFlat, ...context] = embedded;
    const length = Math.max(this.spec.historyLength, 1);
    const d = this.config.embeddingDim;
    const history = tf.reshape(historyFlat!, [batch.size, length, d]);
    const repeated = alongSequence(candidate!, length);
    const features = tf.concat([history, repeated, tf.sub(history, repeated), tf.mul(history, repeated)], 2);
    const hidden = mlp(this.params, 'att', this.config.attentionLayers.length, tf.reshape(features, [-1, 4 * d]));
    const weights = tf.reshape(mlp(this.params, 'att_out', 1, hidden, true), [batch.size, length, 1]);
    const mask = historyMask(batch, length);
    const pooled = tf.sum(tf.mul(history, tf.mul(weights, mask)), 1) as tf.Tensor2D;
    return { logits: topLogits(this.params, this.config.topLayers.length, [user!, candidate!, pooled, ...context]) };
  }
}
