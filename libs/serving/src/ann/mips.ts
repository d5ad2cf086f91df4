/**
 * Maximum inner product search as nearest-neighbour search (Bachrach et al.
 * 2014, "Speeding Up the Xbox Recommender System Using a Euclidean
 * Transformation for Inner-Product Spaces"): each item gets one more
 * coordinate sqrt(M^2 - |v|^2), where M is the largest item norm, and the
 * query a 0 there; L2 distance then orders items exactly as the inner product
 * does, and HNSW's graph works far better in L2 than on raw inner products.
 */
export function augmentItems(vectors: Float32Array, dim: number): { augmented: Float32Array; dim: number } {
  const count = vectors.length / dim;
  const norms = new Float64Array(count);
  let max = 0;
  for (let i = 0; i < count; i++) {
    let sum = 0;
    for (let d = 0; d < dim; d++) sum += vectors[i * dim + d]! ** 2;
    norms[i] = sum;
    if (sum > max) max = sum;
  }
  const out = new Float32Array(count * (dim + 1));
  for (let i = 0; i < count; i++) {
    out.set(vectors.subarray(i * dim, (i + 1) * dim), i * (dim + 1));
    out[i * (dim + 1) + dim] = Math.sqrt(Math.max(0, max - norms[i]!));
  }
  return { augmented: out, dim: dim + 1 };
}

export function augmentQuery(query: Float32Array): number[] {
  const out = Array.from(query);
  out.push(0);
  return out;
}
