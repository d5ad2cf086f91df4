/** Settings of the optimizer that updates embedding rows. */
export interface SparseOptimizerConfig {
  /**
   * adagrad: per-element accumulators. rowwise-adagrad: one accumulator per
   * row (as TorchRec/FBGEMM default to), a square root per row instead of per
   * element and 1/dim of the state. adam: lazy Adam, per-element moments.
   */
  type: 'adagrad' | 'rowwise-adagrad' | 'adam';
  learningRate: number;
  /** L2 penalty applied to the rows a step touches (lazy regularisation). */
  l2: number;
}

/**
 * Updates one embedding row in place from its gradient. The row's state
 * starts at `stateOffset` in `state` (`stateWidth(dim)` floats per row);
 * `rowStep` is how many times the row has been updated, which Adam needs for
 * its bias correction.
 */
export interface SparseOptimizer {
  stateWidth(dim: number): number;
  /** Value new state starts with. */
  readonly initialState: number;
  update(
    weights: Float32Array,
    offset: number,
    state: Float32Array,
    stateOffset: number,
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

// Classes rather than closures: both tables of a model then share one
// update method, so the hot call site stays monomorphic and inlinable.
class Adagrad implements SparseOptimizer {
  readonly initialState = ADAGRAD_INITIAL_ACCUMULATOR;
  constructor(private readonly config: SparseOptimizerConfig) {}

  stateWidth(dim: number): number {
    return dim;
  }

  update(weights: Float32Array, offset: number, state: Float32Array, stateOffset: number, dim: number, grad: ArrayLike<number>, gradOffset: number): void {
    const { learningRate, l2 } = this.config;
    for (let k = 0; k < dim; k++) {
      const w = weights[offset + k]!;
      const g = grad[gradOffset + k]! + l2 * w;
      const acc = state[stateOffset + k]! + g * g;
      state[stateOffset + k] = acc;
      weights[offset + k] = w - (learningRate * g) / (Math.sqrt(acc) + EPSILON);
    }
  }
}

export class RowwiseAdagrad implements SparseOptimizer {
  readonly initialState = ADAGRAD_INITIAL_ACCUMULATOR;
  constructor(readonly config: SparseOptimizerConfig) {}

  stateWidth(): number {
    return 1;
  }

  /**
   * Adds a row's mean squared gradient to its accumulator and returns the
   * step size for that row; callers that already know the gradient's squares
   * (e.g. a fused model step) update the row themselves with it.
   */
  rowRate(state: Float32Array, stateOffset: number, meanSquare: number): number {
    const acc = state[stateOffset]! + meanSquare;
    state[stateOffset] = acc;
    return this.config.learningRate / (Math.sqrt(acc) + EPSILON);
  }

  update(weights: Float32Array, offset: number, state: Float32Array, stateOffset: number, dim: number, grad: ArrayLike<number>, gradOffset: number): void {
    const { l2 } = this.config;
    let squares = 0;
    for (let k = 0; k < dim; k++) {
      const g = grad[gradOffset + k]! + l2 * weights[offset + k]!;
      squares += g * g;
    }
    const rate = this.rowRate(state, stateOffset, squares / dim);
    for (let k = 0; k < dim; k++) {
      const w = weights[offset + k]!;
      weights[offset + k] = w - rate * (grad[gradOffset + k]! + l2 * w);
    }
  }
}

/** Lazy Adam: moments of a row only move when the row is in a batch. */
class Adam implements SparseOptimizer {
  readonly initialState = 0;
  constructor(private readonly config: SparseOptimizerConfig) {}

  stateWidth(dim: number): number {
    return 2 * dim;
  }

  update(weights: Float32Array, offset: number, state: Float32Array, stateOffset: number, dim: number, grad: ArrayLike<number>, gradOffset: number, rowStep: number): void {
    const { learningRate, l2 } = this.config;
    const correction1 = 1 - ADAM_BETA1 ** rowStep;
    const correction2 = 1 - ADAM_BETA2 ** rowStep;
    const stepSize = (learningRate * Math.sqrt(correction2)) / correction1;
    for (let k = 0; k < dim; k++) {
      const w = weights[offset + k]!;
      const g = grad[gradOffset + k]! + l2 * w;
      const m = ADAM_BETA1 * state[stateOffset + 2 * k]! + (1 - ADAM_BETA1) * g;
      const v = ADAM_BETA2 * state[stateOffset + 2 * k + 1]! + (1 - ADAM_BETA2) * g * g;
      state[stateOffset + 2 * k] = m;
      state[stateOffset + 2 * k + 1] = v;
      weights[offset + k] = w - (stepSize * m) / (Math.sqrt(v) + EPSILON);
    }
  }
}

export function createSparseOptimizer(config: SparseOptimizerConfig): SparseOptimizer {
  switch (config.type) {
    case 'adam':
      return new Adam(config);
    case 'rowwise-adagrad':
      return new RowwiseAdagrad(config);
    default:
      return new Adagrad(config);
  }
}
