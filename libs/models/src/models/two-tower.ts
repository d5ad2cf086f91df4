import * as tf from '@tensorflow/tfjs-core';
import { contextOf, historyCategoriesOf, historyOf, type Batch, type FeatureSpec } from '../batch.js';
import { mlp, mlpShapes } from '../dense/dense-params.js';
import { isItemField } from '../encoding.js';
import { COMMON_DEFAULTS, fieldTable, type CommonConfig, type ModelArtifact } from '../model.js';
import { TfModel, type ForwardResult, type Lookup, type TableShape } from './tf-model.js';
import { DENSE_LEARNING_RATE, SHARED_PARAMS, HISTORY_PARAM, type SearchSpace } from '../tuning/search-space.js';

export interface TwoTowerConfig extends CommonConfig {
  embeddingDim: number;
  /** Hidden widths of each tower; the last is the retrieval embedding size. */
  towerLayers: number[];
  /**
   * Share of training pairs whose item id is left out of the item tower when
   * the spec gives it item fields: the tower then learns to place an item by
   * its attributes alone, as it must for an item it has no id row for.
   */
  itemIdDropout: number;
}

export const TWO_TOWER_DEFAULTS: TwoTowerConfig = {
  ...COMMON_DEFAULTS,
  embeddingDim: 32,
  towerLayers: [64, 32],
  sparseLearningRate: 0.05,
  denseLearningRate: 0.002,
  // An unknown id reads as a zero vector, so cold items need no dropout to get a vector; search may still try it.
  itemIdDropout: 0,
};

/** What hyperparameter search may change for the two-tower model (see libs/models/src/tuning). */
export const TWO_TOWER_SEARCH_SPACE: SearchSpace = {
  params: {
    embeddingDim: { type: 'choice', values: [16, 32, 64] },
    sparseLearningRate: { type: 'log', low: 0.01, high: 0.3 },
    denseLearningRate: DENSE_LEARNING_RATE,
    itemIdDropout: { type: 'choice', values: [0, 0.3, 0.5] },
    ...SHARED_PARAMS,
    historyLength: HISTORY_PARAM,
  },
  maxEpochs: 15,
};

/** The table the item category field and the sequence's categories share, so both towers read categories alike. */
const CATEGORY_TABLE = fieldTable('item_category');

/**
 * Two-tower retrieval model (Covington et al. 2016, "Deep Neural Networks for
 * YouTube Recommendations"; Yi et al. 2019, "Sampling-Bias-Corrected Neural
 * Modeling for Large Corpus Item Recommendations"). The user tower reads the
 * user id, the behaviour sequence (mean of its items and of their
 * categories) and every field of the spec that is not an item field (user
 * features, request context); the item tower reads the item id and the item
 * fields (`isItemField`: category, item numeric features). The dot product
 * of the two scores; `userVectors` and `itemVectors` feed an
 * approximate-nearest-neighbour index, and an item with no id row still gets
 * a vector from its attributes (content-based cold start).
 */
export class TwoTowerModel extends TfModel<TwoTowerConfig> {
  /** Context columns each tower reads, by index in `spec.contextFields`. */
  private readonly userFields: number[];
  private readonly itemFields: number[];
  private readonly userLookupCount: number;

  constructor(config: Partial<TwoTowerConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...TWO_TOWER_DEFAULTS, ...config };
    const d = full.embeddingDim;
    const fields = spec.contextFields.map((field, index) => ({ field, index }));
    const itemFields = fields.filter(({ field }) => isItemField(field));
    const userFields = fields.filter(({ field }) => !isItemField(field));
    const readsCategories = spec.historyLength > 0 && spec.historyCategories === true;
    const fieldTables: TableShape[] = spec.contextFields.map((field) => ({ name: fieldTable(field), dim: d }));
    if (readsCategories && !spec.contextFields.includes('item_category')) fieldTables.push({ name: CATEGORY_TABLE, dim: d });
    const userLookups = 1 + (spec.historyLength > 0 ? 1 : 0) + (readsCategories ? 1 : 0) + userFields.length;
    super(
      'twotower',
      full,
      spec,
      {
        tables: [{ name: 'user', dim: d }, { name: 'item', dim: d }, ...fieldTables],
        dense: [...mlpShapes('user_tower', userLookups * d, full.towerLayers), ...mlpShapes('item_tower', (1 + itemFields.length) * d, full.towerLayers)],
        kernels: ['Slice'],
      },
      artifact,
    );
    this.userFields = userFields.map(({ index }) => index);
    this.itemFields = itemFields.map(({ index }) => index);
    this.userLookupCount = userLookups;
  }

  /** Retrieval embeddings of the batch's users (`size * towerLayers.at(-1)` floats); item columns are not read. */
  userVectors(batch: Batch): Float32Array {
    return this.inference(this.userLookups(batch), (embedded) => this.userTower(embedded, batch));
  }

  /** Retrieval embeddings of the batch's items, for the ANN index; user columns are not read, and an unknown item id reads as absent. */
  itemVectors(batch: Batch): Float32Array {
    return this.inference(this.itemLookups(batch, batch.itemIds), (embedded) => this.itemTower(embedded));
  }

  /** Whether the item tower reads item fields: then every item has a vector, known id or not. */
  get readsItemFields(): boolean {
    return this.itemFields.length > 0;
  }

  protected lookups(batch: Batch, training: boolean): Lookup[] {
    const itemIds = training && this.readsItemFields ? this.withDroppedIds(batch) : batch.itemIds;
    return [...this.userLookups(batch), ...this.itemLookups(batch, itemIds)];
  }

  protected forward(embedded: tf.Tensor2D[], batch: Batch): ForwardResult {
    const users = this.userTower(embedded.slice(0, this.userLookupCount), batch);
    const items = this.itemTower(embedded.slice(this.userLookupCount));
    return { logits: tf.sum(tf.mul(users, items), 1) as tf.Tensor1D };
  }

  /** In order: user id, history items, history categories, user-side fields. */
  private userLookups(batch: Batch): Lookup[] {
    const length = this.spec.historyLength;
    const lookups: Lookup[] = [{ table: 'user', ids: batch.userIds }];
    if (length > 0) lookups.push({ table: 'item', ids: historyOf(batch, length) });
    if (length > 0 && this.spec.historyCategories) lookups.push({ table: CATEGORY_TABLE, ids: historyCategoriesOf(batch, length) });
    for (const f of this.userFields) lookups.push({ table: fieldTable(this.spec.contextFields[f]!), ids: contextOf(batch, f) });
    return lookups;
  }

  private itemLookups(batch: Batch, itemIds: Int32Array): Lookup[] {
    return [{ table: 'item', ids: itemIds }, ...this.itemFields.map((f) => ({ table: fieldTable(this.spec.contextFields[f]!), ids: contextOf(batch, f) }))];
  }

  private userTower(embedded: tf.Tensor2D[], batch: Batch): tf.Tensor2D {
    const length = this.spec.historyLength;
    const parts = [...embedded];
    if (length > 0) parts[1] = meanOver(parts[1]!, historyOf(batch, length), batch.size, length);
    if (length > 0 && this.spec.historyCategories) parts[2] = meanOver(parts[2]!, historyCategoriesOf(batch, length), batch.size, length);
    return mlp(this.params, 'user_tower', this.config.towerLayers.length, parts, true);
  }

  private itemTower(embedded: tf.Tensor2D[]): tf.Tensor2D {
    return mlp(this.params, 'item_tower', this.config.towerLayers.length, embedded, true);
  }

  /**
   * The batch's item ids with `itemIdDropout` of them replaced by -1 (no
   * row), chosen by a hash of the (user, item) pair rather than a random
   * draw, so the loss and its gradients of one batch agree on every call.
   */
  private withDroppedIds(batch: Batch): Int32Array {
    const threshold = this.config.itemIdDropout * 0x1_0000;
    return batch.itemIds.map((item, i) => (pairHash(batch.userIds[i]!, item, this.config.seed) < threshold ? -1 : item));
  }
}

/** 16 well-mixed bits of a (user, item, seed) triple. */
function pairHash(user: number, item: number, seed: number): number {
  let h = Math.imul(user ^ seed, 0x9e3779b1) ^ item;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0xffff;
}

/** Mean of the sequence vectors whose ids are known, per sample (zeros for none). */
function meanOver(vectors: tf.Tensor2D, ids: Int32Array, size: number, length: number): tf.Tensor2D {
  const mask = new Float32Array(ids.length);
  const counts = new Float32Array(size);
  for (let i = 0; i < ids.length; i++) {
    if (ids[i]! < 0) continue;
    mask[i] = 1;
    counts[Math.floor(i / length)]! += 1;
  }
  const inverse = tf.tensor2d(counts.map((c) => (c > 0 ? 1 / c : 0)), [size, 1]);
  const summed = tf.sum(tf.mul(tf.reshape(vectors, [size, length, -1]), tf.tensor3d(mask, [size, length, 1])), 1) as tf.Tensor2D;
  return tf.mul(summed, inverse);
}
