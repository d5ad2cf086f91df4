import { NonRetriableError } from '@recstream/platform';
import { ContainerWriter, readContainer, type BlobRef } from './container.js';
import type { DenseWeights, RecModel } from './model.js';
import type { RowDelta } from './sparse/embedding-table.js';

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
  const tables = model.tables();
  for (const [name, rows] of Object.entries(delta.tables)) {
    const table = tables.get(name);
    if (!table) throw new NonRetriableError(`a ${model.kind} model has no table ${name}; the delta is for another model`);
    table.upsertRows(rows.ids, rows.vectors);
  }
  model.assignDense(delta.dense);
}
