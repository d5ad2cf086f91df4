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

/** Runs an MLP built from `mlpShapes`; ReLU after every layer unless `linearLast`. */
export function mlp(params: DenseParams, name: string, layers: number, x: tf.Tensor2D, linearLast = false): tf.Tensor2D {
  let out = x;
  for (let i = 0; i < layers; i++) {
    out = tf.fused.matMul({
      a: out,
      b: params.get(`${name}.${i}.w`) as tf.Tensor2D,
      bias: params.get(`${name}.${i}.b`),
      activation: linearLast && i === layers - 1 ? 'linear' : 'relu',
    }) as tf.Tensor2D;
  }
  return out;
}
