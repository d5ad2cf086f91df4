/** Exact top-k by inner product over `count` vectors of `dim`: the reference ANN results are measured against. */
export function exactTopK(vectors: Float32Array, dim: number, query: Float32Array, k: number): Int32Array {
  const count = vectors.length / dim;
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += vectors[i * dim + d]! * query[d]!;
    scores[i] = sum;
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  return Int32Array.from(order.slice(0, k));
}

/** Fraction of the exact top-k that the approximate result found. */
export function recallAt(approximate: ArrayLike<number>, exact: ArrayLike<number>): number {
  const truth = new Set(Array.from(exact));
  let hits = 0;
  for (let i = 0; i < approximate.length; i++) if (truth.has(approximate[i]!)) hits++;
  return truth.size === 0 ? 1 : hits / truth.size;
}
