import { describe, expect, it } from 'vitest';
import { createRandom } from '../random.js';
import { SIMD_DENSE_BLOCK, SimdDense } from './simd-dense.js';

const random = createRandom(11);

/** The plain loop the kernel stands for: each output from its bias, `relu(x) * w` added in input order. */
function reference(input: Float64Array, rows: number, weight: Float64Array, bias: Float64Array, inputs: number, outputs: number): Float64Array {
  const output = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outputs; j++) {
      let sum = bias[j]!;
      for (let k = 0; k < inputs; k++) {
        const x = input[r * inputs + k]!;
        sum += (x < 0 ? 0 : x) * weight[k * outputs + j]!;
      }
      output[r * outputs + j] = sum;
    }
  }
  return output;
}

describe('SimdDense', () => {
  it('computes relu(input) times the weights plus the bias bitwise as the plain loop, for any row count and block-multiple width', () => {
    const kernel = new SimdDense();
    for (const [rows, inputs, outputs] of [
      [1, 64, 32],
      [150, 64, 32],
      [7, 3, SIMD_DENSE_BLOCK],
      [5, 32, 3 * SIMD_DENSE_BLOCK],
    ] as const) {
      const [input, weight, bias, output] = kernel.allocate([rows * inputs, inputs * outputs, outputs, rows * outputs]);
      // Float32 weights as the models hold them; inputs with negatives (masked by the ReLU), zeros and -0.
      for (let i = 0; i < weight!.length; i++) weight![i] = Math.fround(random.normal());
      for (let j = 0; j < outputs; j++) bias![j] = Math.fround(random.normal());
      for (let i = 0; i < input!.length; i++) input![i] = [0, -0][i % 11] ?? random.normal() * 3;
      kernel.multiply(input!, rows, weight!, bias!, inputs, outputs, output!);
      const expected = reference(input!, rows, weight!, bias!, inputs, outputs);
      expect([...output!].map((value, i) => Object.is(value, expected[i]))).not.toContain(false);
      // Not the biases alone: the inputs reached the outputs (a row whose inputs are all masked keeps them).
      expect([...output!].filter((value, i) => value !== bias![i % outputs]).length).toBeGreaterThan(output!.length / 4);
    }
  });

  it('lays out zeroed arrays that stay usable when the memory grows', () => {
    const kernel = new SimdDense();
    kernel.allocate([10]).forEach((array) => array.fill(1));
    const arrays = kernel.allocate([100_000, 3]);
    expect(arrays.map((array) => array.length)).toEqual([100_000, 3]);
    expect(arrays[0]!.every((value) => value === 0)).toBe(true);
    arrays[1]!.set([1, 2, 3]);
    expect([...arrays[1]!]).toEqual([1, 2, 3]);
  });
});
