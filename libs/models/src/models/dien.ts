import * as tf from '@tensorflow/tfjs-core';
import { historyOf, type Batch, type FeatureSpec } from '../batch.js';
import type { DenseParams, ParamShape } from '../dense/dense-params.js';
import { COMMON_DEFAULTS, type CommonConfig, type ModelArtifact } from '../model.js';
import { createRandom } from '../random.js';
import { TfModel, historyMask, type ForwardResult, type Lookup } from './tf-model.js';
import { alongSequence, sequenceLookups, sequenceTables, topLogits, topShapes } from './sequence-features.js';
import { DENSE_LEARNING_RATE, SHARED_PARAMS, HISTORY_PARAM, type SearchSpace } from '../tuning/search-space.js';

export interface DienConfig extends CommonConfig {
  /** Embedding size; also the GRU state size, so states and items can be compared in the auxiliary loss. */
  embeddingDim: number;
  topLayers: number[];
  /** Weight of the auxiliary next-behaviour loss. */
  auxiliaryWeight: number;
}

export const DIEN_DEFAULTS: DienConfig = {
  ...COMMON_DEFAULTS,
  embeddingDim: 16,
  topLayers: [64, 32],
  auxiliaryWeight: 0.5,
};

/** What hyperparameter search may change for DIEN (see libs/models/src/tuning). */
export const DIEN_SEARCH_SPACE: SearchSpace = {
  params: {
    embeddingDim: { type: 'choice', values: [8, 16, 32] },
    sparseLearningRate: { type: 'log', low: 0.01, high: 0.3 },
    denseLearningRate: DENSE_LEARNING_RATE,
    ...SHARED_PARAMS,
    auxiliaryWeight: { type: 'log', low: 0.1, high: 1 },
    historyLength: HISTORY_PARAM,
  },
  maxEpochs: 6,
};

function gruShapes(name: string, input: number, hidden: number): ParamShape[] {
  return [
    { name: `${name}.w`, shape: [input, 3 * hidden], init: 'glorot' },
    { name: `${name}.u`, shape: [hidden, 3 * hidden], init: 'glorot' },
    { name: `${name}.b`, shape: [3 * hidden], init: 'zeros' },
  ];
}

/**
 * DIEN: a GRU extracts an interest state per behaviour, trained also by an
 * auxiliary loss (each state must tell the next behaviour from a sampled
 * other item); an AUGRU, whose update gate is scaled by attention to the
 * candidate, evolves those interests into the state the top MLP reads
 * (Zhou et al. 2019, "Deep Interest Evolution Network for Click-Through Rate
 * Prediction").
 */
export class DienModel extends TfModel<DienConfig> {
  constructor(config: Partial<DienConfig>, spec: FeatureSpec, artifact?: ModelArtifact) {
    const full = { ...DIEN_DEFAULTS, ...config };
    const d = full.embeddingDim;
    super(
      'dien',
      full,
      spec,
      {
        tables: sequenceTables(spec, d),
        dense: [
          ...gruShapes('extract', d, d),
          ...gruShapes('evolve', d, d),
          { name: 'attention.w', shape: [d, d], init: 'glorot' },
          ...topShapes((3 + spec.contextFields.length) * d, full.topLayers),
        ],
        kernels: ['Softmax', 'Tanh', 'Slice'],
      },
      artifact,
    );
  }
  protected lookups(batch: Batch, training: boolean): Lookup[] {
    const lookups = sequenceLookups(this.spec, batch);
    if (training) {
      // Negatives for the auxiliary loss: items of other samples in the batch,
      // drawn from a generator seeded by the batch so the loss is a function of the batch.
      const random = createRandom(this.config.seed + batch.size * 7919 + (batch.itemIds[0] ?? 0));
      const negatives = Int32Array.from(lookups[2]!.ids, () => batch.itemIds[random.int(batch.size)]!);
      lookups.push({ table: 'item', ids: negatives });
    }
    return lookups;
  }

  protected forward(embedded: tf.Tensor2D[], batch: Batch, training: boolean): ForwardResult {
    const contextCount = this.spec.contextFields.length;
    const [user, candidate, historyFlat] = embedded;
    const context = embedded.slice(3, 3 + contextCount);
    const length = Math.max(this.spec.historyLength, 1);
    const d = this.config.embeddingDim;
    const history = tf.reshape(historyFlat!, [batch.size, length, d]);
    const mask = tf.reshape(historyMask(batch, length), [batch.size, length]);

    const states = runGru(this.params, 'extract', history, mask);
    const interests = tf.concat(states.map((s) => tf.reshape(s, [batch.size, 1, d])), 1);

    const projected = tf.reshape(tf.matMul(tf.reshape(interests, [-1, d]), this.params.get('attention.w')), [batch.size, length, d]);
    const scores = tf.sum(tf.mul(projected, alongSequence(candidate!, length)), 2);
    // Padding positions get a large negative score, so softmax gives them ~0 attention.
    const attention = tf.softmax(tf.add(scores, tf.mul(tf.sub(mask, tf.scalar(1)), tf.scalar(1e9))));
    const evolved = runGru(this.params, 'evolve', interests, mask, attention).at(-1) as tf.Tensor2D;

    const logits = topLogits(this.params, this.config.topLayers.length, [user!, candidate!, evolved, ...context]);
    if (!training || length < 2) return { logits };
    const negatives = tf.reshape(embedded[3 + contextCount]!, [batch.size, length, d]);
    const auxiliary = auxiliaryLoss(interests, history, negatives, batch, length);
    return { logits, extraLoss: tf.mul(auxiliary, tf.scalar(this.config.auxiliaryWeight)) as tf.Scalar };
  }
}

/**
 * A GRU over `inputs` `[batch, length, dim]`; padded steps keep the previous
 * state. With `attention` `[batch, length]` it is the paper's AUGRU: the
 * update gate is scaled by each step's attention.
 */
function runGru(params: DenseParams, name: string, inputs: tf.Tensor, mask: tf.Tensor, attention?: tf.Tensor): tf.Tensor[] {
  const [size, length, dim] = inputs.shape as [number, number, number];
  const hidden = params.get(`${name}.u`).shape[0]!;
  const projectedInputs = tf.reshape(
    tf.add(tf.matMul(tf.reshape(inputs, [-1, dim]), params.get(`${name}.w`)), params.get(`${name}.b`)),
    [size, length, 3 * hidden],
  );
  const gate = (t: tf.Tensor, k: number) => tf.slice(t, [0, k * hidden], [size, hidden]);
  const column = (t: tf.Tensor, step: number) => tf.slice(t, [0, step], [size, 1]);
  let state: tf.Tensor = tf.zeros([size, hidden]);
  const states: tf.Tensor[] = [];
  for (let step = 0; step < length; step++) {
    const x = tf.reshape(tf.slice(projectedInputs, [0, step, 0], [size, 1, 3 * hidden]), [size, 3 * hidden]);
    const h = tf.matMul(state, params.get(`${name}.u`));
    let update = tf.sigmoid(tf.add(gate(x, 0), gate(h, 0)));
    const reset = tf.sigmoid(tf.add(gate(x, 1), gate(h, 1)));
    const candidate = tf.tanh(tf.add(gate(x, 2), tf.mul(reset, gate(h, 2))));
    if (attention) update = tf.mul(update, column(attention, step));
    // Padded steps (mask 0) leave the state unchanged.
    const gated = tf.mul(update, column(mask, step));
    state = tf.add(state, tf.mul(gated, tf.sub(candidate, state)));
    states.push(state);
  }
  return states;
}

/**
 * DIEN's auxiliary loss: the interest state at step t should score the
 * behaviour at t + 1 above a sampled other item, over real (unpadded) pairs.
 */
function auxiliaryLoss(interests: tf.Tensor, history: tf.Tensor, negatives: tf.Tensor, batch: Batch, length: number): tf.Scalar {
  const [size, , d] = interests.shape as [number, number, number];
  const states = tf.slice(interests, [0, 0, 0], [size, length - 1, d]);
  const next = tf.slice(history, [0, 1, 0], [size, length - 1, d]);
  const other = tf.slice(negatives, [0, 1, 0], [size, length - 1, d]);
  const ids = historyOf(batch, length);
  const valid = new Float32Array(size * (length - 1));
  let pairs = 0;
  for (let i = 0; i < size; i++) {
    for (let t = 0; t + 1 < length; t++) {
      const ok = ids[i * length + t]! >= 0 && ids[i * length + t + 1]! >= 0 ? 1 : 0;
      valid[i * (length - 1) + t] = ok;
      pairs += ok;
    }
  }
  const positive = tf.softplus(tf.neg(tf.sum(tf.mul(states, next), 2)));
  const negative = tf.softplus(tf.sum(tf.mul(states, other), 2));
  const perPair = tf.mul(tf.add(positive, negative), tf.tensor2d(valid, [size, length - 1]));
  return tf.mul(tf.sum(perPair), tf.scalar(1 / Math.max(pairs, 1))) as tf.Scalar;
}
