import * as tf from '@tensorflow/tfjs-core';
import { NonRetriableError } from '@recstream/platform';
import type { DenseWeights } from '../model.js';
import { createRandom } from '../random.js';

export interface ParamShape {
  name: string;
  shape: number[];
  /** glorot: fan-in/fan-out scaled normal for weights; zeros for biases. */
  init: 'glorot' | 'zeros';
}

let instances = 0;

/**
 * The dense (tower) variables of one model. tfjs optimizers address variables
 * by globally registered name, so each instance gets its own prefix.
 */
export class DenseParams {
  private readonly variables = new Map<string, tf.Variable>();
  private readonly prefix = `m${++instances}/`;
  /** Row slices kept by `rows` under `readOnly`, with the variable data they were cut from. */
  private readonly keptRows = new Map<string, { source: tf.DataId; rows: tf.Tensor2D }>();
  private readOnlyDepth = 0;

  constructor(shapes: ParamShape[], seed: number, weights?: DenseWeights) {
    const random = createRandom(seed);
    for (const { name, shape, init } of shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      let values: Float32Array;
      const stored = weights?.[name];
      if (weights) {
        if (!stored || stored.values.length !== size) {
          throw new NonRetriableError(`dense weight ${name} missing or not of shape [${shape.join(', ')}]`);
        }
        values = stored.values;
      } else {
        values = new Float32Array(size);
        if (init === 'glorot') {
          const scale = Math.sqrt(2 / ((shape[0] ?? 1) + (shape[shape.length - 1] ?? 1)));
          for (let i = 0; i < size; i++) values[i] = scale * random.normal();
        }
      }
      this.variables.set(name, tf.variable(tf.tensor(values, shape), true, this.prefix + name));
    }
  }

  get(name: string): tf.Variable {
    const variable = this.variables.get(name);
    if (!variable) throw new NonRetriableError(`no dense parameter ${name}`);
    return variable;
  }

  /**
   * Runs `compute`, which must not record gradients, with the weights
   * read-only, so `rows` may hand out slices kept from earlier calls.
   */
  readOnly<T>(compute: () => T): T {
    this.readOnlyDepth++;
    try {
      return compute();
    } finally {
      this.readOnlyDepth--;
    }
  }

  /**
   * Rows `[begin, begin + count)` of a matrix parameter. Under `readOnly` the
   * slice is kept until the variable is next assigned: the wasm backend builds
   * an XNNPACK operator per weight tensor, so a fresh slice per call would
   * cost one per matMul. Otherwise it is cut afresh, so a gradient tape
   * links it to the variable.
   */
  rows(name: string, begin: number, count: number): tf.Tensor2D {
    const variable = this.get(name);
    const slice = () => tf.slice(variable as tf.Tensor2D, [begin, 0], [count, -1]);
    if (this.readOnlyDepth === 0) return slice();
    const key = `${name}[${begin}+${count}]`;
    const kept = this.keptRows.get(key);
    if (kept?.source === variable.dataId) return kept.rows;
    kept?.rows.dispose();
    const rows = tf.keep(slice());
    this.keptRows.set(key, { source: variable.dataId, rows });
    return rows;
  }

  list(): tf.Variable[] {
    return [...this.variables.values()];
  }

  export(): DenseWeights {
    const out: DenseWeights = {};
    for (const [name, variable] of this.variables) {
      out[name] = { shape: variable.shape, values: Float32Array.from(variable.dataSync()) };
    }
    return out;
  }

  /** Copies values (e.g. from a pretrained model) into parameters of the same shape. */
  assign(name: string, values: Float32Array): void {
    const variable = this.get(name);
    variable.assign(tf.tensor(values, variable.shape));
  }

  dispose(): void {
    for (const variable of this.variables.values()) variable.dispose();
    for (const { rows } of this.keptRows.values()) rows.dispose();
  }
}

/** Shapes for an MLP `input -> sizes[0] -> ... -> sizes[n-1]` named `${name}.${i}.w|b`. */
export function mlpShapes(name: string, input: number, sizes: number[]): ParamShape[] {
  const shapes: ParamShape[] = [];
  let width = input;
  sizes.forEach((size, i) => {
    shapes.push({ name: `${name}.${i}.w`, shape: [width, size], init: 'glorot' });
    shapes.push({ name: `${name}.${i}.b`, shape: [size], init: 'zeros' });
    width = size;
  });
  return shapes;
}

/** A dense layer's input: one matrix, or parts standing for their concatenation along axis 1. */
export type DenseInput = tf.Tensor2D | readonly tf.Tensor2D[];

/**
 * The dense layer `activation(x @ ${name}.w + ${name}.b)`. Parts are multiplied by their
 * rows of the weight and summed rather than concatenated: the wasm backend's
 * concat allocates a JS view per row and part, at serving batch sizes a large
 * share of the garbage per request.
 */
export function denseLayer(params: DenseParams, name: string, x: DenseInput, activation: 'linear' | 'relu' = 'linear'): tf.Tensor2D {
  const weight = `${name}.w`;
  const bias = params.get(`${name}.b`);
  const [first, ...rest] = x instanceof tf.Tensor ? [x] : x;
  if (!first) throw new NonRetriableError(`dense layer ${name} has no input`);
  if (rest.length === 0) {
    return tf.fused.matMul({ a: first, b: params.get(weight) as tf.Tensor2D, bias, activation }) as tf.Tensor2D;
  }
  const width = rest.reduce((sum, part) => sum + part.shape[1], first.shape[1]);
  const weightRows = params.get(weight).shape[0];
  if (width !== weightRows) {
    throw new NonRetriableError(`dense layer ${name} has ${weightRows} weight rows but input parts ${width} wide`);
  }
  let row = 0;
  const rowsOf = (part: tf.Tensor2D) => {
    const slice = params.rows(weight, row, part.shape[1]);
    row += part.shape[1];
    return slice;
  };
  // The wasm backend's fused matMul takes only a rank-1 bias, so the other
  // parts' products are added after it and the activation applied last.
  let sum = tf.fused.matMul({ a: first, b: rowsOf(first), bias }) as tf.Tensor2D;
  for (const part of rest) sum = tf.add(sum, tf.matMul(part, rowsOf(part)));
  return activation === 'relu' ? tf.relu(sum) : sum;
}

/**
 * Runs an MLP built from `mlpShapes`; ReLU after every layer unless
 * `linearLast`. Parts of `x` are only concatenated when there is no layer.
 */
export function mlp(params: DenseParams, name: string, layers: number, x: DenseInput, linearLast = false): tf.Tensor2D {
  if (layers === 0) return x instanceof tf.Tensor ? x : tf.concat([...x], 1);
  const layer = (i: number, input: DenseInput) =>
    denseLayer(params, `${name}.${i}`, input, linearLast && i === layers - 1 ? 'linear' : 'relu');
  let out = layer(0, x);
  for (let i = 1; i < layers; i++) out = layer(i, out);
  return out;
}
