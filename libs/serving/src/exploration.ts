import type { Catalog, CatalogItem } from './catalog.js';
import type { Popularity } from './popularity.js';

/** Uniform random numbers in [0, 1); injectable so tests can fix the draws. */
export type Random = () => number;

/**
 * Available items nobody has interacted with in the popularity window,
 * newest first: the only way they can earn interactions is to be shown.
 */
export function explorationPool(catalog: Catalog, popularity: Popularity, size: number): CatalogItem[] {
  // Walks the catalogue's newest-first order, which it sorts once, rather than sorting on every popularity refresh.
  const pool: CatalogItem[] = [];
  for (const item of catalog.newestFirst) {
    if (pool.length >= size) break;
    if (item.available && !popularity.normalized.has(item.id)) pool.push(item);
  }
  return pool;
}

/**
 * `n` distinct items of `pool` drawn uniformly. Rejection sampling costs
 * O(n) per request where a shuffle would cost O(pool); when n is close to
 * the pool size a partial shuffle is cheaper and used instead.
 */
export function samplePool<T>(pool: readonly T[], n: number, random: Random): T[] {
  const count = Math.min(n, pool.length);
  if (count * 2 > pool.length) {
    const indices = Array.from({ length: pool.length }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (indices.length - i));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    return indices.slice(0, count).map((i) => pool[i]!);
  }
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * pool.length));
  return [...chosen].map((i) => pool[i]!);
}

/** A draw from Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(a: number, b: number, random: Random): number {
  const x = sampleGamma(a, random);
  const y = sampleGamma(b, random);
  return x / (x + y);
}

/** Marsaglia & Tsang (2000) for shape >= 1, boosted by U^(1/shape) below 1. */
function sampleGamma(shape: number, random: Random): number {
  if (shape < 1) return sampleGamma(shape + 1, random) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
