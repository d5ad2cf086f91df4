import { describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import { exactTopK, recallAt } from './exact.js';
import { HnswIndex } from './hnsw-index.js';

/** Vectors like MF item factors: clustered directions, varied norms, a bias coordinate. */
function embeddings(count: number, dim: number, random: Random): Float32Array {
  const centres = Array.from({ length: 50 }, () => Array.from({ length: dim }, () => random.normal()));
  const out = new Float32Array(count * dim);
  for (let i = 0; i < count; i++) {
    const centre = centres[random.int(centres.length)]!;
    const scale = 0.2 + random.next();
    for (let d = 0; d < dim; d++) out[i * dim + d] = scale * (centre[d]! + 0.7 * random.normal());
  }
  return out;
}

describe('HnswIndex', () => {
  it('finds at least 95% of the exact top 100 by inner product', async () => {
    const random = new Random(9);
    const dim = 17;
    const vectors = embeddings(20_000, dim, random);
    const index = await HnswIndex.build(vectors, dim);
    let recall = 0;
    const queries = 30;
    for (let q = 0; q < queries; q++) {
      const query = Float32Array.from({ length: dim }, () => random.normal());
      recall += recallAt(index.search(query, 100).labels, exactTopK(vectors, dim, query, 100));
    }
    expect(recall / queries).toBeGreaterThanOrEqual(0.95);
  }, 60_000);

  it('answers an empty index with nothing', async () => {
    const index = await HnswIndex.build(new Float32Array(0), 4);
    expect(index.search(Float32Array.of(1, 0, 0, 0), 10).labels).toEqual([]);
  });
});
