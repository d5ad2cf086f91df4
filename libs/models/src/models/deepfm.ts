import * as tf from '@tensorflow/tfjs-core';
import { contextOf, type Batch, type FeatureSpec } from '../batch.js';
import { mlp, mlpShapes } from '../dense/dense-params.js';
import { COMMON_DEFAULTS, fieldTable, type CommonConfig, type ModelArtifact } from '../model.js';
import { DeepFmScorer } from './deepfm-scorer.js';
import { TfModel, type ForwardResult, type Lookup, type TableShape } from './tf-model.js';
import { DENSE_LEARNING_RATE, SHARED_PARAMS, type SearchSpace } from '../tuning/search-space.js';

export interface DeepFmConfig extends CommonConfig {
  /** Embedding size shared by all fields, as FM requires. */
  embeddingDim: number;
  deepLayers: number[];
}

export const DEEPFM_DEFAULTS: DeepFmConfig = {
  ...COMMON_DEFAULTS,
  embeddingDim: 16,
  deepLayers: [64, 32],
  sparseLearningRate: 0.05,
  denseLearningRate: 0.002,
};

/** What hyperparameter search may change for DeepFM (see libs/models/src/tuning). */
export const DEEPFM_SEARCH_SPACE: SearchSpace = {
  params: {
    embeddingDim: { type: 'choice', values: [8, 16, 32] },
    sparseLearningRate: { type: 'log', low: 0.005, high: 0.2 },
    denseLearningRate: DENSE_LEARNING_RATE,
    ...SHARED_PARAMS,
  },
  maxEpochs: 15,
};

/**
 * DeepFM for CTR ranking: a factorisation machine (first-order weights plus
 * pairwise interactions of field embeddings) and a deep MLP over the same
 * embeddings, summed into one logit (Guo et al. 2017, "DeepFM: A
 * Factorization-Machine based Neural Network for CTR Prediction"). Fields are
 * the user, the item and every context field of the feature spec.
 */
export class DeepFmModel extends TfModel<DeepFmConfig> {
  private readonly fields: string[];
  private readonly scorer: DeepFmScorer;

  constructor(config: Partial<DeepFmConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...DEEPFM_DEFAULTS, ...config };
    const fields = ['user', 'item', ...spec.contextFields.map(fieldTable)];
    const tables: TableShape[] = [
      ...fields.map((name) => ({ name, dim: full.embeddingDim })),
      ...fields.map((name) => ({ name: `${name}.w`, dim: 1 })),
    ];
    const last = full.deepLayers.at(-1) ?? fields.length * full.embeddingDim;
    super(
      'deepfm',
      full,
      spec,
      {
        tables,
        dense: [
          ...mlpShapes('deep', fields.length * full.embeddingDim, full.deepLayers),
          { name: 'deep_out.w', shape: [last, 1], init: 'glorot' },
          { name: 'bias', shape: [1], init: 'zeros' },
        ],
        kernels: [],
      },
      artifact,
    );
    this.fields = fields;
    this.scorer = new DeepFmScorer({
      fields: fields.map((name) => ({ embedding: this.table(name), firstOrder: this.table(`${name}.w`) })),
      dense: (name) => Float32Array.from(this.params.get(name).dataSync()),
      edits: () => this.edits(),
      hiddenLayers: full.deepLayers.length,
    });
  }

  /** Scores without tfjs (DeepFmScorer); training and its gradients still run `forward`. */
  override score(batch: Batch): Float32Array {
    return this.scorer.score(batch.size, this.fieldIds(batch));
  }

  private fieldIds(batch: Batch): Int32Array[] {
    return [batch.userIds, batch.itemIds, ...this.spec.contextFields.map((_, f) => contextOf(batch, f))];
  }

  protected lookups(batch: Batch): Lookup[] {
    const ids = this.fieldIds(batch);
    return [
      ...this.fields.map((table, f) => ({ table, ids: ids[f]! })),
      ...this.fields.map((table, f) => ({ table: `${table}.w`, ids: ids[f]! })),
    ];
  }

  protected forward(embedded: tf.Tensor2D[], batch: Batch): ForwardResult {
    const count = this.fields.length;
    const flat = tf.concat(embedded.slice(0, count), 1);
    const byField = tf.reshape(flat, [batch.size, count, this.config.embeddingDim]);
    // FM's pairwise term: 0.5 * ((sum of vectors)^2 - sum of squared vectors).
    const sumSquared = tf.square(tf.sum(byField, 1));
    const squaredSum = tf.sum(tf.square(byField), 1);
    const pairwise = tf.mul(tf.sum(tf.sub(sumSquared, squaredSum), 1), tf.scalar(0.5));
    const firstOrder = tf.sum(tf.concat(embedded.slice(count), 1), 1);
    const hidden = mlp(this.params, 'deep', this.config.deepLayers.length, flat);
    const deep = tf.reshape(tf.matMul(hidden, this.params.get('deep_out.w')), [-1]);
    const logits = tf.add(tf.add(tf.add(firstOrder, pairwise), deep), this.params.get('bias'));
    return { logits: logits as tf.Tensor1D };
  }
}
