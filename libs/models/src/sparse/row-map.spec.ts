import { describe, expect, it } from 'vitest';
import { createRandom } from '../random.js';
import { RowMap } from './row-map.js';

describe('RowMap', () => {
  it('agrees with a Map through random sets, overwrites and deletes, across growth', () => {
    const random = createRandom(7).next;
    const map = new RowMap();
    const reference = new Map<number, number>();
    // A small id range makes probe runs collide and deletes shift entries back.
    const id = () => (random() < 0.5 ? Math.floor(random() * 300) : Math.floor(random() * 2 ** 31) - 2 ** 30);
    for (let step = 0; step < 20_000; step++) {
      const key = id();
      if (random() < 0.35) expect(map.delete(key)).toBe(reference.delete(key));
      else {
        const row = Math.floor(random() * 1_000_000);
        map.set(key, row);
        reference.set(key, row);
      }
      if (step % 1_000 === 0) for (const [k, row] of reference) expect(map.get(k)).toBe(row);
    }
    expect(map.size).toBe(reference.size);
    for (const [k, row] of reference) expect(map.get(k)).toBe(row);
    for (let i = 0; i < 1_000; i++) {
      const key = id();
      expect(map.get(key)).toBe(reference.get(key) ?? -1);
    }
  });

  it('refuses negative rows, which it uses to mark free slots', () => {
    expect(() => new RowMap().set(1, -1)).toThrow(RangeError);
  });
});
