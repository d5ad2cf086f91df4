import { describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import { descendingOrder } from './order.js';

describe('descendingOrder', () => {
  it('orders as a stable sort by descending key does, ties included', () => {
    const random = new Random(3);
    for (let trial = 0; trial < 300; trial++) {
      const keys = Array.from({ length: random.int(70) }, () => random.int(10) / 4 - 1);
      const expected = keys.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]!);
      expect(Array.from(descendingOrder(keys))).toEqual(expected);
    }
  });

  it('handles no keys and one key', () => {
    expect(Array.from(descendingOrder([]))).toEqual([]);
    expect(Array.from(descendingOrder([0.5]))).toEqual([0]);
  });
});
