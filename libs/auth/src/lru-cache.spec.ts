import { expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

it('evicts the least recently used entry past its capacity', () => {
  const cache = new LruCache<string, number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  expect(cache.get('a')).toBe(1);
  cache.set('c', 3);
  expect(cache.size).toBe(2);
  expect(cache.get('b')).toBeUndefined();
  expect(cache.get('a')).toBe(1);
  expect(cache.get('c')).toBe(3);
});

it('refuses a capacity that is not a positive whole number', () => {
  expect(() => new LruCache(0)).toThrow(/positive whole number/);
});
