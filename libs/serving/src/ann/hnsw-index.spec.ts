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

describe('HnswIndex upserts', () => {
  it('moves changed vectors and adds new ones, keeping exact inner-product order within the norm headroom', async () => {
    const random = new Random(4);
    const dim = 8;
    const vectors = embeddings(2_000, dim, random);
    const index = await HnswIndex.build(vectors, dim, { normHeadroom: 2 });
    const query = Float32Array.from({ length: dim }, () => random.normal());
    // Item 5 turns towards the query, and a new item 2000 appears right on it.
    const towards = query.map((x) => x * 1.5);
    index.upsert(5, towards);
    index.upsert(2_000, query.map((x) => x * 2));
    expect(index.size).toBe(2_001);
    expect(index.search(query, 2).labels).toEqual([2_000, 5]);
    expect(index.clamped).toBe(0);
    // Grows past the capacity it was built with.
    for (let label = 2_001; label < 2_100; label++) index.upsert(label, Float32Array.from({ length: dim }, () => 0.01 * random.normal()));
    expect(index.size).toBe(2_100);
    expect(() => index.upsert(3_000, query)).toThrow(/next new label is 2100/);
  });
});

describe('HnswIndex.build aborted', () => {
  it('ends the build worker and rejects, and refuses a signal already aborted', async () => {
    const dim = 32;
    const vectors = embeddings(20_000, dim, new Random(4));
    const controller = new AbortController();
    const building = HnswIndex.build(vectors, dim, {}, controller.signal);
    controller.abort();
    await expect(building).rejects.toThrow(/aborted/);
    await expect(HnswIndex.build(vectors, dim, {}, controller.signal)).rejects.toThrow();
  });
});
