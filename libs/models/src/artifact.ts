import { NonRetriableError } from '@recstream/platform';
import { ContainerWriter, readContainer, type BlobRef } from './container.js';
import type { DenseWeights, ModelArtifact, ModelKind } from './model.js';
import type { EmbeddingTableData } from './sparse/embedding-table.js';

/** "RSM1": recstream model, format 1. */
const MAGIC = 0x314d5352;
const FORMAT = 1;

interface Header {
  format: number;
  kind: ModelKind;
  config: Record<string, unknown>;
  spec: ModelArtifact['spec'];
  dense: Record<string, { shape: number[]; values: BlobRef<'f32'> }>;
  /** `version`: the table's mark, under the name the format has always stored it. */
  tables: Record<
    string,
    { dim: number; version: number; ids: BlobRef<'i32'>; weights: BlobRef<'f32'>; state: BlobRef<'f32'>; rowSteps: BlobRef<'u32'>; lastUpdated: BlobRef<'u32'> }
  >;
}

/**
 * A model version as one self-describing buffer, e.g. for a Postgres bytea:
 * a container (see container.ts) whose JSON header holds the kind, config,
 * feature spec and where each dense weight and table array lives.
 */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const writer = new ContainerWriter();
  const dense: Header['dense'] = {};
  for (const [name, { shape, values }] of Object.entries(artifact.dense)) dense[name] = { shape, values: writer.add(values, 'f32') };
  const tables: Header['tables'] = {};
  for (const [name, t] of Object.entries(artifact.tables)) {
    tables[name] = {
      dim: t.dim,
      version: t.mark,
      ids: writer.add(t.ids, 'i32'),
      weights: writer.add(t.weights, 'f32'),
      state: writer.add(t.state, 'f32'),
      rowSteps: writer.add(t.rowSteps, 'u32'),
      lastUpdated: writer.add(t.lastUpdated, 'u32'),
    };
  }
  return writer.finish(MAGIC, { format: FORMAT, kind: artifact.kind, config: artifact.config, spec: artifact.spec, dense, tables } satisfies Header);
}

export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  const { header, read } = readContainer<Header>(bytes, MAGIC, 'model artifact');
  if (header.format !== FORMAT) throw new NonRetriableError(`unsupported model artifact format ${header.format}`);
  const dense: DenseWeights = {};
  for (const [name, { shape, values }] of Object.entries(header.dense)) dense[name] = { shape, values: read(values) };
  const tables: Record<string, EmbeddingTableData> = {};
  for (const [name, t] of Object.entries(header.tables)) {
    tables[name] = {
      dim: t.dim,
      mark: t.version,
      ids: read(t.ids),
      weights: read(t.weights),
      state: read(t.state),
      rowSteps: read(t.rowSteps),
      lastUpdated: read(t.lastUpdated),
    };
  }
  return { kind: header.kind, config: header.config, spec: header.spec, dense, tables };
}
