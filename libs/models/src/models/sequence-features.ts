import * as tf from '@tensorflow/tfjs-core';
import { contextOf, historyOf, type Batch, type FeatureSpec } from '../batch.js';
import { mlp, mlpShapes, type DenseParams, type ParamShape } from '../dense/dense-params.js';
import { fieldTable } from '../model.js';
import type { Lookup, TableShape } from './tf-model.js';

/**
 * Inputs DIN and DIEN share: user, candidate item, the behaviour sequence
 * (from the same item table as the candidate, so attention compares like with
 * like) and each context field; and the MLP that turns them into a logit.
 */
export function sequenceTables(spec: FeatureSpec, dim: number): TableShape[] {
  return [
    { name: 'user', dim },
    { name: 'item', dim },
    ...spec.contextFields.map((name) => ({ name: fieldTable(name), dim })),
  ];
}

/** Lookups in the order user, candidate, history, context fields. */
export function sequenceLookups(spec: FeatureSpec, batch: Batch): Lookup[] {
  return [
    { table: 'user', ids: batch.userIds },
    { table: 'item', ids: batch.itemIds },
    { table: 'item', ids: historyOf(batch, Math.max(spec.historyLength, 1)) },
    ...spec.contextFields.map((name, f) => ({ table: fieldTable(name), ids: contextOf(batch, f) })),
  ];
}

/** Shapes of the top MLP and its linear output over `inputWidth` features. */
export function topShapes(inputWidth: number, layers: number[]): ParamShape[] {
  return [
    ...mlpShapes('top', inputWidth, layers),
    { name: 'top_out.w', shape: [layers.at(-1) ?? inputWidth, 1], init: 'glorot' },
    { name: 'top_out.b', shape: [1], init: 'zeros' },
  ];
}

export function topLogits(params: DenseParams, layers: number, parts: tf.Tensor2D[]): tf.Tensor1D {
  const hidden = mlp(params, 'top', layers, parts);
  const out = tf.add(tf.matMul(hidden, params.get('top_out.w')), params.get('top_out.b'));
  return tf.reshape(out, [-1]);
}

/** The candidate `[batch, dim]` repeated along the sequence: `[batch, length, dim]`. */
export function alongSequence(candidate: tf.Tensor2D, length: number): tf.Tensor3D {
  const [size, dim] = candidate.shape;
  // Broadcasting a multiply by ones keeps to kernels whose gradients the models register.
  return tf.mul(tf.reshape(candidate, [size, 1, dim]), tf.ones([1, length, 1]));
}
