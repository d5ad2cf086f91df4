import { expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';
import { parseApiKey, secretMatches } from './api-keys.js';
import { createHash } from 'node:crypto';

it('allows a burst of `rate`, then refills at `rate` per second, per key', () => {
  let now = 0;
  const limiter = new RateLimiter(() => now);
  const allowed = Array.from({ length: 7 }, () => limiter.take('a', 5) === 0).filter(Boolean).length;
  expect(allowed).toBe(5);
  expect(limiter.take('a', 5)).toBeCloseTo(0.2, 5);
  expect(limiter.take('b', 5)).toBe(0);
  now += 400;
  expect(limiter.take('a', 5)).toBe(0);
  expect(limiter.take('a', 5)).toBe(0);
  expect(limiter.take('a', 5)).toBeGreaterThan(0);
});

it('parses only well-formed keys and compares secrets by digest', () => {
  const secret = 'A'.repeat(43);
  expect(parseApiKey(`rs_abcdefghijkl_${secret}`)).toEqual({ keyId: 'abcdefghijkl', secret });
  expect(parseApiKey(`rs_short_${secret}`)).toBeUndefined();
  expect(parseApiKey(`rs_abcdefghijkl_${secret}' OR 1=1 --`)).toBeUndefined();
  const stored = createHash('sha256').update(secret).digest();
  expect(secretMatches(secret, stored)).toBe(true);
  expect(secretMatches('B'.repeat(43), stored)).toBe(false);
});
