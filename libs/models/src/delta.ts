import { NonRetriableError } from '@recstream/platform';
import { ContainerWriter, readContainer, type BlobRef } from './container.js';
import type { DenseWeights, RecModel } from './model.js';
import type { EmbeddingTable, RowDelta } from './sparse/embedding-table.js';

/** "RSD1": recstream delta, format 1. */
const MAGIC = 0x31445352;

/**
 * What an online updater changed in a model since it last published: the
 * touched rows of each table (whole rows, not increments, so applying a delta
 * twice or an older one first still ends at the latest values) and, when they
 * moved, the dense parameters.
 */
export interface ModelDelta {
  tables: Record<string, RowDelta>;
  dense: DenseWeights;
}

interface Header {
  tables: Record<string, { ids: BlobRef<'i32'>; vectors: BlobRef<'f32'> }>;
  dense: Record<string, { shape: number[]; values: BlobRef<'f32'> }>;
}

/** A delta as one buffer, in the artifact's container format (see container.ts). */
export function encodeDelta(delta: ModelDelta): Uint8Array {
  const writer = new ContainerWriter();
  const tables: Header['tables'] = {};
  for (const [name, rows] of Object.entries(delta.tables)) tables[name] = { ids: writer.add(rows.ids, 'i32'), vectors: writer.add(rows.vectors, 'f32') };
  const dense: Header['dense'] = {};
  for (const [name, { shape, values }] of Object.entries(delta.dense)) dense[name] = { shape, values: writer.add(values, 'f32') };
  return writer.finish(MAGIC, { tables, dense } satisfies Header);
}

export function decodeDelta(bytes: Uint8Array): ModelDelta {
  const { header, read } = readContainer<Header>(bytes, MAGIC, 'model delta');
  const tables: ModelDelta['tables'] = {};
  for (const [name, refs] of Object.entries(header.tables)) tables[name] = { ids: read(refs.ids), vectors: read(refs.vectors) };
  const dense: DenseWeights = {};
  for (const [name, { shape, values }] of Object.entries(header.dense)) dense[name] = { shape, values: read(values) };
  return { tables, dense };
}

/** Number of rows a delta carries, over all its tables. */
export function deltaRows(delta: ModelDelta): number {
  return Object.values(delta.tables).reduce((sum, rows) => sum + rows.ids.length, 0);
}

/** Writes a delta's rows and dense parameters into `model`, creating rows it lacks. */
export function applyDelta(model: RecModel, delta: ModelDelta): void {
  for (const [name, rows] of Object.entries(delta.tables)) tableOf(model, name).upsertRows(rows.ids, rows.vectors);
  model.assignDense(delta.dense);
}

/** What `delta` (whole rows and dense parameters) adds to `base`'s values: the increment another copy of `base` can add to its own. */
export function deltaIncrement(base: RecModel, delta: ModelDelta): ModelDelta {
  const increment: ModelDelta = { tables: {}, dense: {} };
  for (const [name, rows] of Object.entries(delta.tables)) {
    const vectors = tableOf(base, name).rowsOf(rows.ids);
    for (let i = 0; i < vectors.length; i++) vectors[i] = rows.vectors[i]! - vectors[i]!;
    increment.tables[name] = { ids: rows.ids, vectors };
  }
  const dense = Object.keys(delta.dense).length > 0 ? base.toArtifact().dense : {};
  for (const [name, { shape, values }] of Object.entries(delta.dense)) {
    const from = dense[name]!.values;
    increment.dense[name] = { shape, values: values.map((value, i) => value - from[i]!) };
  }
  return increment;
}

/** Adds an increment (see `deltaIncrement`) to `model`'s rows and dense parameters, without marking the rows as updated in it. */
export function addIncrement(model: RecModel, increment: ModelDelta): void {
  for (const [name, rows] of Object.entries(increment.tables)) tableOf(model, name).addToRows(rows.ids, rows.vectors);
  if (Object.keys(increment.dense).length === 0) return;
  const dense = model.toArtifact().dense;
  const sums: DenseWeights = {};
  for (const [name, { shape, values }] of Object.entries(increment.dense)) sums[name] = { shape, values: dense[name]!.values.map((value, i) => value + values[i]!) };
  model.assignDense(sums);
}

function tableOf(model: RecModel, name: string): EmbeddingTable {
  const table = model.tables().get(name);
  if (!table) throw new NonRetriableError(`a ${model.kind} model has no table ${name}; the delta is for another model`);
  return table;
}
