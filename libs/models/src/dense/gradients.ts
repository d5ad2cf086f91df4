import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients of the kernels the models differentiate through. tfjs-core's
 * Node build registers no gradients (the full @tensorflow/tfjs package does,
 * from ESM files Node cannot load as published), so the models bring their
 * own. Existing registrations win, so a host that loads @tensorflow/tfjs or
 * tfjs-node keeps tfjs's versions.
 */
type Saved = tf.Tensor[];
type Attrs = Record<string, unknown>;
type GradientFn = (dy: tf.Tensor, saved: Saved, attrs: Attrs) => Record<string, () => tf.Tensor>;

/** Sums `dy` over the axes along which an input of `shape` was broadcast. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const extra = dy.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < dy.rank; axis++) {
    if (axis < extra || (shape[axis - extra] === 1 && dy.shape[axis] !== 1)) axes.push(axis);
  }
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

/** `dy` of a reduction over `attrs.axis`, spread back over the input's shape. */
function spreadReduction(dy: tf.Tensor, x: tf.Tensor, attrs: Attrs, mean: boolean): tf.Tensor {
  const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
  const kept = x.shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
  const count = axes.reduce((n, axis) => n * x.shape[axis]!, 1);
  const spread = tf.mul(tf.reshape(dy, kept), tf.ones(x.shape));
  return mean ? tf.mul(spread, tf.scalar(1 / count)) : spread;
}

/** `x` with its last two axes swapped. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, axis) => axis);
  perm.splice(-2, 2, x.rank - 1, x.rank - 2);
  return tf.transpose(x, perm);
}

/**
 * Gradients of `a x b` with optional transposes. Operands are transposed
 * explicitly rather than through matMul's transpose flags, which are slow on
 * the wasm backend (docs/decisions/wasm-backend.md).
 */
function matMulGradient(dy: tf.Tensor, [a, b]: Saved, attrs: Attrs): Record<string, () => tf.Tensor> {
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const mm = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y);
  if (!transposeA && !transposeB) return { a: () => mm(dy, swapLast(b!)), b: () => mm(swapLast(a!), dy) };
  if (!transposeA) return { a: () => mm(dy, b!), b: () => mm(swapLast(dy), a!) };
  if (!transposeB) return { a: () => mm(b!, swapLast(dy)), b: () => mm(a!, dy) };
  return { a: () => swapLast(mm(dy, b!)), b: () => swapLast(mm(a!, dy)) };
}

const GRADIENTS: { kernel: string; save?: string[]; saveOutput?: boolean; saveAll?: boolean; fn: GradientFn }[] = [
  { kernel: 'Add', save: ['a', 'b'], fn: (dy, [a, b]) => ({ a: () => unbroadcast(dy, a!.shape), b: () => unbroadcast(dy, b!.shape) }) },
  {
    kernel: 'Sub',
    save: ['a', 'b'],
    fn: (dy, [a, b]) => ({ a: () => unbroadcast(dy, a!.shape), b: () => unbroadcast(tf.neg(dy), b!.shape) }),
  },
  {
    kernel: 'Multiply',
    save: ['a', 'b'],
    fn: (dy, [a, b]) => ({
      a: () => unbroadcast(tf.mul(dy, b!), a!.shape),
      b: () => unbroadcast(tf.mul(dy, a!), b!.shape),
    }),
  },
  { kernel: 'Mean', save: ['x'], fn: (dy, [x], attrs) => ({ x: () => spreadReduction(dy, x!, attrs, true) }) },
  { kernel: 'Sum', save: ['x'], fn: (dy, [x], attrs) => ({ x: () => spreadReduction(dy, x!, attrs, false) }) },
  { kernel: 'Relu', save: ['x'], fn: (dy, [x]) => ({ x: () => tf.mul(dy, tf.step(x!)) }) },
  {
    kernel: 'Sigmoid',
    saveOutput: true,
    fn: (dy, [y]) => ({ x: () => tf.mul(dy, tf.mul(y!, tf.sub(tf.scalar(1), y!))) }),
  },
  { kernel: 'Tanh', saveOutput: true, fn: (dy, [y]) => ({ x: () => tf.mul(dy, tf.sub(tf.scalar(1), tf.square(y!))) }) },
  { kernel: 'Softplus', save: ['x'], fn: (dy, [x]) => ({ x: () => tf.mul(dy, tf.sigmoid(x!)) }) },
  { kernel: 'Neg', fn: (dy) => ({ x: () => tf.neg(dy) }) },
  { kernel: 'Square', save: ['x'], fn: (dy, [x]) => ({ x: () => tf.mul(dy, tf.mul(x!, tf.scalar(2))) }) },
  { kernel: 'Reshape', save: ['x'], fn: (dy, [x]) => ({ x: () => tf.reshape(dy, x!.shape) }) },
  {
    kernel: 'Slice',
    save: ['x'],
    fn: (dy, [x], attrs) => {
      const begin = attrs.begin as number[];
      const padding = x!.shape.map((size, axis): [number, number] => [begin[axis]!, size - begin[axis]! - dy.shape[axis]!]);
      return { x: () => tf.pad(dy, padding) };
    },
  },
  {
    kernel: 'Concat',
    saveAll: true,
    fn: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs.axis as number, saved[0]!.shape)[0]!;
      const parts = tf.split(dy, saved.map((t) => t.shape[axis]!), axis);
      return Object.fromEntries(parts.map((part, i) => [String(i), () => part]));
    },
  },
  { kernel: 'BatchMatMul', save: ['a', 'b'], fn: matMulGradient },
  {
    kernel: 'Softmax',
    saveOutput: true,
    fn: (dy, [y], attrs) => {
      const dim = attrs.dim as number;
      return { logits: () => tf.mul(y!, tf.sub(dy, tf.sum(tf.mul(dy, y!), dim, true))) };
    },
  },
];

/** Kernels whose gradients run during training, for the backend check. */
export const GRADIENT_KERNELS = ['Step', 'PadV2', 'SplitV', 'Transpose'];

let registered = false;

export function registerModelGradients(): void {
  if (registered) return;
  registered = true;
  for (const { kernel, save, saveOutput, saveAll, fn } of GRADIENTS) {
    if (tf.getGradient(kernel) !== undefined) continue;
    tf.registerGradient({
      kernelName: kernel,
      inputsToSave: save,
      saveAllInputs: saveAll,
      outputsToSave: saveOutput ? [true] : undefined,
      gradFunc: (dy, saved, attrs) => fn(dy as tf.Tensor, saved, attrs as Attrs),
    });
  }
}
