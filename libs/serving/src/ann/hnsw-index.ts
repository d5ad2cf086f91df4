import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import { NonRetriableError, RecstreamError } from '@recstream/platform';
import { augmentItem, augmentItems, augmentQuery } from './mips.js';

export interface HnswOptions {
  /** Graph degree: more links, better recall, more memory and build time. */
  m: number;
  efConstruction: number;
  /** Candidate list size at query time; must be >= the k asked for. */
  efSearch: number;
  /** Vectors added or changed after the build keep exact inner-product order up to this multiple of the largest norm built (see mips.ts). */
  normHeadroom: number;
}

// Recall@100 against query time and build time: docs/decisions/hnsw-parameters.md; bench:serve measures it on MF vectors.
export const DEFAULT_HNSW_OPTIONS: HnswOptions = { m: 16, efConstruction: 100, efSearch: 400, normHeadroom: 1.5 };

/**
 * Builds the graph in a worker thread, so a hot swap never blocks requests:
 * the worker writes the index to a temporary file, which hnswlib reads back
 * off the main thread too. Plain JavaScript evaluated in the worker, so it
 * runs the same under tsx, vitest and compiled builds.
 */
const BUILD_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const { HierarchicalNSW } = require(workerData.module);
const { vectors, dim, count, m, efConstruction, file } = workerData;
const index = new HierarchicalNSW('l2', dim);
index.initIndex({ maxElements: Math.max(count, 1), m, efConstruction, randomSeed: 100 });
for (let i = 0; i < count; i++) index.addPoint(Array.from(vectors.subarray(i * dim, (i + 1) * dim)), i);
index.writeIndexSync(file);
parentPort.postMessage('done');
`;

const HNSW_MODULE = createRequire(import.meta.url).resolve('hnswlib-node');

/**
 * An HNSW index over item vectors, searched by inner product (through the
 * MIPS-to-L2 transform of mips.ts). Labels are positions in the input;
 * `upsert` changes a vector or adds one at the next label, as online
 * updates arrive.
 */
export class HnswIndex {
  /** Vectors upserted with a norm beyond the headroom, whose place in results is approximate until the next build. */
  clamped = 0;

  private constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    private count: number,
    private readonly maxNorm: number,
  ) {}

  /** Labels in use: 0 to size - 1. */
  get size(): number {
    return this.count;
  }

  /** `signal`: aborting it ends the build worker and rejects, so a shutdown need not wait out a long build. */
  static async build(vectors: Float32Array, dim: number, options: Partial<HnswOptions> = {}, signal?: AbortSignal): Promise<HnswIndex> {
    const o = { ...DEFAULT_HNSW_OPTIONS, ...options };
    const count = vectors.length / dim;
    const { augmented, dim: augmentedDim, maxNorm } = augmentItems(vectors, dim, o.normHeadroom);
    const file = join(tmpdir(), `recstream-hnsw-${randomUUID()}.bin`);
    try {
      await runWorker({ vectors: augmented, dim: augmentedDim, count, m: o.m, efConstruction: o.efConstruction, file, module: HNSW_MODULE }, signal);
      const index = new hnswlib.HierarchicalNSW('l2', augmentedDim);
      await index.readIndex(file);
      index.setEf(o.efSearch);
      return new HnswIndex(index, count, maxNorm);
    } finally {
      await rm(file, { force: true });
    }
  }

  /**
   * Replaces the vector under `label`, or adds it when `label` is `size`
   * (growing the index as needed). Runs on the calling thread: one
   * insertion costs about what one search does.
   */
  upsert(label: number, vector: Float32Array): void {
    if (label > this.count) throw new RecstreamError(`HNSW labels are positions: the next new label is ${this.count}, got ${label}`);
    if (label === this.count && label >= this.index.getMaxElements()) this.index.resizeIndex(Math.max(16, 2 * this.index.getMaxElements()));
    const { vector: augmented, clamped } = augmentItem(vector, this.maxNorm);
    if (clamped) this.clamped++;
    this.index.addPoint(Array.from(augmented), label);
    if (label === this.count) this.count++;
  }

  /** Positions of the `k` items with the largest inner product with `query`, best first. */
  search(query: Float32Array, k: number): { labels: number[]; distances: number[] } {
    const n = Math.min(k, this.count);
    if (n === 0) return { labels: [], distances: [] };
    const { neighbors, distances } = this.index.searchKnn(augmentQuery(query), n);
    return { labels: neighbors, distances };
  }
}

function runWorker(workerData: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  const worker = new Worker(BUILD_SCRIPT, { eval: true, workerData });
  const terminate = () => void worker.terminate();
  signal?.addEventListener('abort', terminate, { once: true });
  return new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', (error) => reject(new RecstreamError(`building the HNSW index failed: ${error.message}`, { cause: error })));
    worker.once('exit', (code) => {
      if (signal?.aborted) reject(new NonRetriableError('the HNSW build was aborted', { cause: signal.reason }));
      else if (code !== 0) reject(new RecstreamError(`HNSW build worker exited with code ${code}`));
    });
  }).finally(() => signal?.removeEventListener('abort', terminate));
}
