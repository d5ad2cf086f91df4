import type { ServedRecall } from './models/served-model.js';
import type { Candidate } from './recall.js';

/**
 * Similarity for MMR: category overlap (Jaccard) when both items have
 * categories, otherwise the cosine of their recall-model vectors (computed
 * once per request for the candidates), otherwise 0.
 */
export function similarityFor(candidates: readonly Candidate[], recall: ServedRecall | undefined): (a: Candidate, b: Candidate) => number {
  const vectors = recall && candidates.some((c) => c.item.categories.length === 0) ? unitVectors(candidates, recall) : undefined;
  return (a, b) => {
    const ca = a.item.categories;
    const cb = b.item.categories;
    if (ca.length > 0 && cb.length > 0) {
      // Category lists are short (the event contract allows 16), so scanning beats building sets per request.
      let shared = 0;
      for (const category of ca) if (cb.includes(category)) shared++;
      return shared / (ca.length + cb.length - shared);
    }
    const va = vectors?.get(a);
    const vb = vectors?.get(b);
    if (!va || !vb) return 0;
    let dot = 0;
    for (let d = 0; d < va.length; d++) dot += va[d]! * vb[d]!;
    return Math.max(0, dot);
  };
}

function unitVectors(candidates: readonly Candidate[], recall: ServedRecall): Map<Candidate, Float32Array> {
  const dim = recall.embedder.dim;
  const all = recall.embedder.itemVectors(candidates.map((c) => c.item));
  const out = new Map<Candidate, Float32Array>();
  candidates.forEach((candidate, i) => {
    const vector = all.subarray(i * dim, (i + 1) * dim);
    const norm = Math.hypot(...vector);
    if (norm > 0) out.set(candidate, vector.map((x) => x / norm));
  });
  return out;
}
