import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { DenseWeights } from '../model.js';
import { createRandom } from '../random.js';
import { DenseParams, denseLayer, mlp, mlpShapes, type ParamShape } from './dense-params.js';
import { registerModelGradients } from './gradients.js';

const BATCH = 7;
const TOLERANCE = 1e-5;
const random = createRandom(5);
const randomMatrix = (rows: number, columns: number) =>
  tf.tensor2d(Float32Array.from({ length: rows * columns }, () => random.normal()), [rows, columns]);

/** Parameters of `shapes` with random values, biases included, so ReLU masks part of each layer. */
function randomParams(shapes: ParamShape[]): DenseParams {
  const weights: DenseWeights = {};
  for (const { name, shape } of shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    weights[name] = { shape, values: Float32Array.from({ length: size }, () => random.normal()) };
  }
  return new DenseParams(shapes, 1, weights);
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor): void {
  expect(actual.shape).toEqual(expected.shape);
  expect(tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0]).toBeLessThan(TOLERANCE);
}

/** Checks `overParts` against `overConcat`, and their gradients for a random projection of the output. */
function expectSameLayer(params: DenseParams, overParts: () => tf.Tensor2D, overConcat: () => tf.Tensor2D): void {
  const expected = overConcat();
  expectClose(overParts(), expected);
  const projection = randomMatrix(...expected.shape);
  const grads = (output: () => tf.Tensor2D) => tf.variableGrads(() => tf.sum(tf.mul(output(), projection)), params.list()).grads;
  const [partGrads, concatGrads] = [grads(overParts), grads(overConcat)];
  for (const { name } of params.list()) expectClose(partGrads[name]!, concatGrads[name]!);
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
  registerModelGradients();
});

describe.each([[[6]], [[3, 5]], [[2, 4, 3]]])('dense layer over parts of widths %j', (widths) => {
  const width = widths.reduce((a, b) => a + b, 0);
  const shapes: ParamShape[] = [
    { name: 'layer.w', shape: [width, 4], init: 'glorot' },
    { name: 'layer.b', shape: [4], init: 'zeros' },
  ];

  it.each(['linear', 'relu'] as const)('equals the layer over their concatenation (%s), as do its gradients', (activation) => {
    const params = randomParams(shapes);
    const parts = widths.map((w) => randomMatrix(BATCH, w));
    const overParts = () => denseLayer(params, 'layer', parts, activation);
    const overConcat = () => denseLayer(params, 'layer', tf.concat(parts, 1), activation);
    expectSameLayer(params, overParts, overConcat);
    params.dispose();
  });

  it('equals the concatenated version as an MLP input, as do its gradients', () => {
    const params = randomParams(mlpShapes('net', width, [5, 3]));
    const parts = widths.map((w) => randomMatrix(BATCH, w));
    const overParts = () => mlp(params, 'net', 2, parts, true);
    const overConcat = () => mlp(params, 'net', 2, tf.concat(parts, 1), true);
    expectSameLayer(params, overParts, overConcat);
    params.dispose();
  });
});

describe('denseLayer', () => {
  it('rejects parts that do not cover the weight rows', () => {
    const params = randomParams(mlpShapes('net', 6, [2]));
    const parts = [randomMatrix(BATCH, 2), randomMatrix(BATCH, 3)];
    expect(() => denseLayer(params, 'net.0', parts)).toThrow(/6 weight rows but input parts 5 wide/);
    params.dispose();
  });

  it('reuses weight slices under readOnly until the weight is assigned, without leaking tensors', () => {
    const params = randomParams(mlpShapes('net', 6, [2]));
    const parts = [randomMatrix(BATCH, 2), randomMatrix(BATCH, 4)];
    const run = () => params.readOnly(() => tf.tidy(() => denseLayer(params, 'net.0', parts)));
    run().dispose();
    const tensors = tf.memory().numTensors;
    const slice = params.readOnly(() => params.rows('net.0.w', 2, 4));
    expect(params.readOnly(() => params.rows('net.0.w', 2, 4))).toBe(slice);
    run().dispose();
    expect(tf.memory().numTensors).toBe(tensors);

    const doubled = Float32Array.from(params.get('net.0.w').dataSync(), (v) => 2 * v);
    params.assign('net.0.w', doubled);
    const fresh = params.readOnly(() => params.rows('net.0.w', 2, 4));
    expect(fresh).not.toBe(slice);
    expect(slice.isDisposed).toBe(true);
    expect(Array.from(fresh.dataSync())).toEqual(Array.from(doubled.subarray(2 * 2)));
    expectClose(run(), denseLayer(params, 'net.0', tf.concat(parts, 1)));
    params.dispose();
  });
});
