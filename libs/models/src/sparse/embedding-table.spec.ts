import { describe, expect, it } from 'vitest';
import { EmbeddingTable } from './embedding-table.js';

const sgdLike = { type: 'adagrad' as const, learningRate: 0.1, l2: 0 };

function vectorOf(table: EmbeddingTable, id: number): number[] {
  const row = table.row(id, false);
  return Array.from(table.vectors().subarray(table.offsetOf(row), table.offsetOf(row) + table.dim));
}

describe('EmbeddingTable', () => {
  it('gives every distinct id its own row, created on first sight', () => {
    const table = new EmbeddingTable({ dim: 2 });
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i * 1_000_003);
    const rows = new Int32Array(ids.length);
    table.gather(ids, true, new Float32Array(ids.length * 2), rows);
    expect(new Set(rows).size).toBe(1000);
    expect(table.size).toBe(1000);
    expect(table.row(5, false)).toBe(-1);
  });

  it('reads unknown and padding ids as zero vectors without creating rows', () => {
    const table = new EmbeddingTable({ dim: 3, initScale: 1 });
    const out = new Float32Array(6).fill(9);
    const rows = new Int32Array(2);
    table.gather(Int32Array.of(-1, 42), false, out, rows);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(rows)).toEqual([-1, -1]);
    expect(table.size).toBe(0);
  });

  it('reads a repeated id (one user against many items) as each of its positions would alone', () => {
    const table = new EmbeddingTable({ dim: 2, initScale: 1 });
    table.gather(Int32Array.of(3, 8), true, new Float32Array(4), new Int32Array(2));
    const ids = Int32Array.of(3, 3, 3, 8, 8, -1, 3, 5);
    const out = new Float32Array(ids.length * 2);
    const rows = new Int32Array(ids.length);
    table.gather(ids, false, out, rows);
    const alone = Array.from(ids).map((id) => (id === 3 || id === 8 ? vectorOf(table, id) : [0, 0]));
    expect(Array.from(out)).toEqual(alone.flat());
    expect(Array.from(rows)).toEqual(Array.from(ids, (id) => table.row(id, false)));
  });

  it('counts every repeated sighting towards minCount when creating', () => {
    const table = new EmbeddingTable({ dim: 2, minCount: 3 });
    const rows = new Int32Array(3);
    table.gather(Int32Array.of(7, 7, 7), true, new Float32Array(6), rows);
    expect(rows[2]).toBeGreaterThanOrEqual(0);
  });

  it('admits an id only after minCount sightings', () => {
    const table = new EmbeddingTable({ dim: 2, minCount: 3 });
    expect(table.row(7, true)).toBe(-1);
    expect(table.row(7, true)).toBe(-1);
    expect(table.row(7, true)).toBeGreaterThanOrEqual(0);
  });

  it('updates only touched rows and sums repeated rows into one step', () => {
    const table = new EmbeddingTable({ dim: 1, initScale: 0, optimizer: sgdLike });
    table.row(1, true);
    table.row(2, true);
    const rows = Int32Array.of(table.row(1, false), table.row(1, false));
    table.applyGradients(rows, Float32Array.of(0.3, 0.3));
    // One Adagrad step on the summed gradient 0.6: w = -lr * g / sqrt(0.1 + g^2).
    expect(vectorOf(table, 1)[0]).toBeCloseTo((-0.1 * 0.6) / Math.sqrt(0.1 + 0.36), 6);
    expect(vectorOf(table, 2)[0]).toBe(0);
  });

  it('applies Adam with per-row bias correction', () => {
    const table = new EmbeddingTable({ dim: 1, initScale: 0, optimizer: { type: 'adam', learningRate: 0.01, l2: 0 } });
    const row = table.row(3, true);
    table.applyGradients(Int32Array.of(row), Float32Array.of(5));
    // Adam's first step moves each weight by about the learning rate against the gradient's sign.
    expect(vectorOf(table, 3)[0]).toBeCloseTo(-0.01, 6);
  });

  it('lists rows touched since a mark, with their ids and vectors', () => {
    const table = new EmbeddingTable({ dim: 2, optimizer: sgdLike });
    for (const id of [10, 20, 30]) table.row(id, true);
    table.applyGradients(Int32Array.of(table.row(10, false)), Float32Array.of(1, 1));
    const mark = table.mark();
    table.applyGradients(Int32Array.of(table.row(30, false)), Float32Array.of(1, 1));
    const delta = table.touchedSince(mark);
    expect(Array.from(delta.ids)).toEqual([30]);
    expect(Array.from(delta.vectors)).toEqual(vectorOf(table, 30));
  });

  it('expires ids not updated since a mark and reuses their rows', () => {
    const table = new EmbeddingTable({ dim: 2, optimizer: sgdLike });
    table.row(1, true);
    table.row(2, true);
    const before = table.mark();
    table.applyGradients(Int32Array.of(table.row(2, false)), Float32Array.of(1, 1));
    const freed = table.row(1, false);
    expect(table.expire(before)).toBe(1);
    expect(table.row(1, false)).toBe(-1);
    expect(table.row(99, true)).toBe(freed);
    expect(table.size).toBe(2);
  });

  it('exports and reloads identical rows and optimizer state', () => {
    const table = new EmbeddingTable({ dim: 4, initScale: 0.5 });
    for (let id = 0; id < 100; id++) table.row(id * 3, true);
    table.applyGradients(Int32Array.of(0, 5), new Float32Array(8).fill(0.2));
    const copy = new EmbeddingTable({ dim: 4 }, table.export());
    expect(copy.export()).toEqual(table.export());
    expect(vectorOf(copy, 15)).toEqual(vectorOf(table, 15));
  });
});

describe('EmbeddingTable rows for online updating', () => {
  it('initialises a row from the seed and its id alone, whatever order ids arrive in', () => {
    const forward = new EmbeddingTable({ dim: 3, initScale: 1, seed: 4 });
    const backward = new EmbeddingTable({ dim: 3, initScale: 1, seed: 4 });
    for (const id of [1, 2, 3]) forward.row(id, true);
    for (const id of [3, 2, 1]) backward.row(id, true);
    for (const id of [1, 2, 3]) expect(vectorOf(backward, id)).toEqual(vectorOf(forward, id));
    expect(vectorOf(forward, 1)).not.toEqual(vectorOf(forward, 2));
  });

  it('upserts published rows, creating missing ones even below minCount', () => {
    const table = new EmbeddingTable({ dim: 2, minCount: 5 });
    table.upsertRows(Int32Array.of(8, 9), Float32Array.of(1, 2, 3, 4));
    expect(vectorOf(table, 8)).toEqual([1, 2]);
    expect(vectorOf(table, 9)).toEqual([3, 4]);
    table.upsertRows(Int32Array.of(8), Float32Array.of(5, 6));
    expect(vectorOf(table, 8)).toEqual([5, 6]);
    expect(() => table.upsertRows(Int32Array.of(1), Float32Array.of(1))).toThrow(/needs 2 floats/);
  });
});
