import * as tf from '@tensorflow/tfjs-core';
import { historyOf, type Batch, type FeatureSpec } from '../batch.js';
import { mlp, mlpShapes } from '../dense/dense-params.js';
import { COMMON_DEFAULTS, type CommonConfig, type ModelArtifact } from '../model.js';
import { TfModel, historyMask, type ForwardResult, type Lookup } from './tf-model.js';
import { DENSE_LEARNING_RATE, SHARED_PARAMS, HISTORY_PARAM, type SearchSpace } from '../tuning/search-space.js';

export interface TwoTowerConfig extends CommonConfig {
  embeddingDim: number;
  /** Hidden widths of each tower; the last is the retrieval embedding size. */
  towerLayers: number[];
}

export const TWO_TOWER_DEFAULTS: TwoTowerConfig = {
  ...COMMON_DEFAULTS,
  embeddingDim: 32,
  towerLayers: [64, 32],
  sparseLearningRate: 0.05,
  denseLearningRate: 0.002,
};

/** What hyperparameter search may change for the two-tower model (see libs/models/src/tuning). */
export const TWO_TOWER_SEARCH_SPACE: SearchSpace = {
  params: {
    embeddingDim: { type: 'choice', values: [16, 32, 64] },
    sparseLearningRate: { type: 'log', low: 0.01, high: 0.3 },
    denseLearningRate: DENSE_LEARNING_RATE,
    ...SHARED_PARAMS,
    historyLength: HISTORY_PARAM,
  },
  maxEpochs: 15,
};

/**
 * Two-tower retrieval model: a user tower (user id plus the mean of the
 * behaviour sequence) and an item tower map into one space where the dot
 * product scores (Covington et al. 2016, "Deep Neural Networks for YouTube
 * Recommendations"; Yi et al. 2019, "Sampling-Bias-Corrected Neural Modeling
 * for Large Corpus Item Recommendations"). `userVectors` and `itemVectors`
 * feed an approximate-nearest-neighbour index.
 */
export class TwoTowerModel extends TfModel<TwoTowerConfig> {
  constructor(config: Partial<TwoTowerConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...TWO_TOWER_DEFAULTS, ...config };
    const d = full.embeddingDim;
    const userInput = spec.historyLength > 0 ? 2 * d : d;
    super(
      'twotower',
      full,
      spec,
      {
        tables: [
          { name: 'user', dim: d },
          { name: 'item', dim: d },
        ],
        dense: [...mlpShapes('user_tower', userInput, full.towerLayers), ...mlpShapes('item_tower', d, full.towerLayers)],
        kernels: ['Slice'],
      },
      artifact,
    );
  }

  /** Retrieval embeddings of the batch's users (`size * towerLayers.at(-1)` floats). */
  userVectors(batch: Batch): Float32Array {
    return this.inference(this.lookups(batch), (embedded) => this.userTower(embedded, batch));
  }

  /** Retrieval embeddings of `itemIds`, for the ANN index. */
  itemVectors(itemIds: Int32Array): Float32Array {
    return this.inference([{ table: 'item', ids: itemIds }], (embedded) => this.itemTower(embedded[0]!));
  }

  protected lookups(batch: Batch): Lookup[] {
    const lookups = [
      { table: 'user', ids: batch.userIds },
      { table: 'item', ids: batch.itemIds },
    ];
    if (this.spec.historyLength > 0) lookups.push({ table: 'item', ids: historyOf(batch, this.spec.historyLength) });
    return lookups;
  }

  protected forward(embedded: tf.Tensor2D[], batch: Batch): ForwardResult {
    const users = this.userTower(embedded, batch);
    const items = this.itemTower(embedded[1]!);
    return { logits: tf.sum(tf.mul(users, items), 1) as tf.Tensor1D };
  }

  private userTower(embedded: tf.Tensor2D[], batch: Batch): tf.Tensor2D {
    const length = this.spec.historyLength;
    const input = length > 0 ? [embedded[0]!, meanOfHistory(embedded[2]!, batch, length)] : embedded[0]!;
    return mlp(this.params, 'user_tower', this.config.towerLayers.length, input, true);
  }

  private itemTower(items: tf.Tensor2D): tf.Tensor2D {
    return mlp(this.params, 'item_tower', this.config.towerLayers.length, items, true);
  }
}

/** Mean of the non-padding history vectors per sample (zeros for an empty history). */
function meanOfHistory(history: tf.Tensor2D, batch: Batch, length: number): tf.Tensor2D {
  const ids = historyOf(batch, length);
  const mask = historyMask(batch, length);
  const counts = new Float32Array(batch.size);
  for (let i = 0; i < ids.length; i++) if (ids[i]! >= 0) counts[Math.floor(i / length)]! += 1;
  const inverse = tf.tensor2d(counts.map((c) => (c > 0 ? 1 / c : 0)), [batch.size, 1]);
  const summed = tf.sum(tf.mul(tf.reshape(history, [batch.size, length, -1]), mask), 1) as tf.Tensor2D;
  return tf.mul(summed, inverse);
}
