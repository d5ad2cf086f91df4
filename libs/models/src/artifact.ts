import { NonRetriableError } from '@recstream/platform';
import type { DenseWeights, ModelArtifact, ModelKind } from './model.js';
import type { EmbeddingTableData } from './sparse/embedding-table.js';

/** "RSM1": recstream model, format 1. */
const MAGIC = 0x314d5352;
const FORMAT = 1;

type BlobType = 'f32' | 'i32' | 'u32';
interface BlobRef {
  type: BlobType;
  /** Byte offset in the data section (4-byte aligned). */
  offset: number;
  length: number;
}

interface Header {
  format: number;
  kind: ModelKind;
  config: Record<string, unknown>;
  spec: ModelArtifact['spec'];
  dense: Record<string, { shape: number[]; values: BlobRef }>;
  tables: Record<string, { dim: number; version: number } & Record<'ids' | 'weights' | 'state' | 'rowSteps' | 'lastUpdated', BlobRef>>;
}

/**
 * A model version as one self-describing buffer, e.g. for a Postgres bytea:
 * magic, header length, a JSON header (kind, config, feature spec, and where
 * each array lives) and then the arrays themselves, little-endian and 4-byte
 * aligned so they can be viewed without copying.
 */
export function encodeArtifact(artifact: ModelArtifact): Uint8Array {
  const blobs: ArrayBufferView[] = [];
  let size = 0;
  const add = (array: Float32Array | Int32Array | Uint32Array, type: BlobType): BlobRef => {
    const ref = { type, offset: size, length: array.length };
    blobs.push(array);
    size += array.byteLength;
    return ref;
  };
  const dense: Header['dense'] = {};
  for (const [name, { shape, values }] of Object.entries(artifact.dense)) dense[name] = { shape, values: add(values, 'f32') };
  const tables: Header['tables'] = {};
  for (const [name, t] of Object.entries(artifact.tables)) {
    tables[name] = {
      dim: t.dim,
      version: t.version,
      ids: add(t.ids, 'i32'),
      weights: add(t.weights, 'f32'),
      state: add(t.state, 'f32'),
      rowSteps: add(t.rowSteps, 'u32'),
      lastUpdated: add(t.lastUpdated, 'u32'),
    };
  }
  const header: Header = { format: FORMAT, kind: artifact.kind, config: artifact.config, spec: artifact.spec, dense, tables };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.length / 4) * 4;
  const out = new Uint8Array(8 + headerBytes + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  let offset = 8 + headerBytes;
  for (const blob of blobs) {
    out.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), offset);
    offset += blob.byteLength;
  }
  return out;
}

export function decodeArtifact(bytes: Uint8Array): ModelArtifact {
  if (bytes.byteLength < 8) throw new NonRetriableError('model artifact is truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new NonRetriableError('not a recstream model artifact (bad magic)');
  const jsonLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as Header;
  if (header.format !== FORMAT) throw new NonRetriableError(`unsupported model artifact format ${header.format}`);
  const dataStart = 8 + Math.ceil(jsonLength / 4) * 4;
  const read = <T extends BlobType>(ref: BlobRef & { type: T }) => {
    const start = dataStart + ref.offset;
    if (start + ref.length * 4 > bytes.byteLength) throw new NonRetriableError('model artifact is truncated');
    // Copy out, so the model owns its arrays whatever buffer the bytes came in.
    const copy = bytes.slice(start, start + ref.length * 4).buffer;
    return ref.type === 'f32' ? new Float32Array(copy) : ref.type === 'i32' ? new Int32Array(copy) : new Uint32Array(copy);
  };
  const dense: DenseWeights = {};
  for (const [name, { shape, values }] of Object.entries(header.dense)) dense[name] = { shape, values: read(values) as Float32Array };
  const tables: Record<string, EmbeddingTableData> = {};
  for (const [name, t] of Object.entries(header.tables)) {
    tables[name] = {
      dim: t.dim,
      version: t.version,
      ids: read(t.ids) as Int32Array,
      weights: read(t.weights) as Float32Array,
      state: read(t.state) as Float32Array,
      rowSteps: read(t.rowSteps) as Uint32Array,
      lastUpdated: read(t.lastUpdated) as Uint32Array,
    };
  }
  return { kind: header.kind, config: header.config, spec: header.spec, dense, tables };
}
