/** Settings of the optimizer that updates embedding rows. */
export interface SparseOptimizerConfig {
  type: 'adagrad' | 'adam';
  learningRate: number;
  /** L2 penalty applied to the rows a step touches (lazy regularisation). */
  l2: number;
}

/**
 * Updates one embedding row in place from its gradient. Per-element state
 * lives in `state` (`slots` floats per weight); `rowStep` is how many times
 * this row has been updated, which Adam needs for its bias correction.
 */
export interface SparseOptimizer {
  readonly slots: number;
  /** Value new state slots start with. */
  readonly initialState: number;
  update(
    weights: Float32Array,
    state: Float32Array,
    offset: number,
    dim: number,
    grad: ArrayLike<number>,
    gradOffset: number,
    rowStep: number,
  ): void;
}

const EPSILON = 1e-8;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
/** TensorFlow's default; a positive start keeps the first steps bounded. */
const ADAGRAD_INITIAL_ACCUMULATOR = 0.1;

function adagrad({ learningRate, l2 }: SparseOptimizerConfig): SparseOptimizer {
  return {
    slots: 1,
    initialState: ADAGRAD_INITIAL_ACCUMULATOR,
    update(weights, state, offset, dim, grad, gradOffset) {
      for (let k = 0; k < dim; k++) {
        const w = weights[offset + k]!;
        const g = grad[gradOffset + k]! + l2 * w;
        const acc = state[offset + k]! + g * g;
        state[offset + k] = acc;
        weights[offset + k] = w - (learningRate * g) / (Math.sqrt(acc) + EPSILON);
      }
    },
  };
}

/** Lazy Adam: moments of a row only move when the row is in a batch. */
function adam({ learningRate, l2 }: SparseOptimizerConfig): SparseOptimizer {
  return {
    slots: 2,
    initialState: 0,
    update(weights, state, offset, dim, grad, gradOffset, rowStep) {
      const m0 = offset * 2;
      const correction1 = 1 - ADAM_BETA1 ** rowStep;
      const correction2 = 1 - ADAM_BETA2 ** rowStep;
      const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
      for (let k = 0; k < dim; k++) {
        const w = weights[offset + k]!;
        const g = grad[gradOffset + k]! + l2 * w;
        const m = ADAM_BETA1 * state[m0 + 2 * k]! + (1 - ADAM_BETA1) * g;
        const v = ADAM_BETA2 * state[m0 + 2 * k + 1]! + (1 - ADAM_BETA2) * g * g;
        state[m0 + 2 * k] = m;
        state[m0 + 2 * k + 1] = v;
        weights[offset + k] = w - (stepSize * m) / (Math.sqrt(v) + EPSILON);
      }
    },
  };
}

export function createSparseOptimizer(config: SparseOptimizerConfig): SparseOptimizer {
  return config.type === 'adam' ? adam(config) : adagrad(config);
}
