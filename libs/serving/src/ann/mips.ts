/**
 * Maximum inner product search as nearest-neighbour search (Bachrach et al.
 * 2014, "Speeding Up the Xbox Recommender System Using a Euclidean
 * Transformation for Inner-Product Spaces"): each item gets one more
 * coordinate sqrt(M^2 - |v|^2), where M bounds the item norms, and the
 * query a 0 there; L2 distance then orders items exactly as the inner
 * product does, and HNSW's graph works far better in L2 than on raw inner
 * products. `headroom` sets M above the largest norm present, so items
 * added or changed later (online updates) up to that norm keep the order exact.
 */
export function augmentItems(vectors: Float32Array, dim: number, headroom = 1): { augmented: Float32Array; dim: number; maxNorm: number } {
  const count = vectors.length / dim;
  let max = 0;
  for (let i = 0; i < count; i++) max = Math.max(max, squaredNorm(vectors.subarray(i * dim, (i + 1) * dim)));
  const maxNorm = Math.sqrt(max) * headroom;
  const out = new Float32Array(count * (dim + 1));
  for (let i = 0; i < count; i++) out.set(augmentItem(vectors.subarray(i * dim, (i + 1) * dim), maxNorm).vector, i * (dim + 1));
  return { augmented: out, dim: dim + 1, maxNorm };
}

/** One item's augmented vector; `clamped` when its norm exceeds `maxNorm` (it then ranks somewhat below its true place). */
export function augmentItem(vector: Float32Array, maxNorm: number): { vector: Float32Array; clamped: boolean } {
  const out = new Float32Array(vector.length + 1);
  out.set(vector);
  const gap = maxNorm * maxNorm - squaredNorm(vector);
  out[vector.length] = Math.sqrt(Math.max(0, gap));
  return { vector: out, clamped: gap < 0 };
}

export function augmentQuery(query: Float32Array): number[] {
  const out = Array.from(query);
  out.push(0);
  return out;
}

function squaredNorm(vector: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < vector.length; d++) sum += vector[d]! ** 2;
  return sum;
}
