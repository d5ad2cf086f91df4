import { NonRetriableError } from '@recstream/platform';

export type BlobType = 'f32' | 'i32' | 'u32';
export type TypedArrayOf<T extends BlobType> = T extends 'f32' ? Float32Array : T extends 'i32' ? Int32Array : Uint32Array;

/** Where one array lives in a container's data section. */
export interface BlobRef<T extends BlobType = BlobType> {
  type: T;
  /** Byte offset in the data section (4-byte aligned). */
  offset: number;
  length: number;
}

/**
 * Writes a self-describing binary container: a magic number, the JSON
 * header's length, the header (which holds `BlobRef`s saying where each
 * array lives) and then the arrays, little-endian and 4-byte aligned so
 * they can be viewed without copying. Model artifacts and deltas use it.
 */
export class ContainerWriter {
  private readonly blobs: ArrayBufferView[] = [];
  private size = 0;

  add<T extends BlobType>(array: TypedArrayOf<T>, type: T): BlobRef<T> {
    const ref = { type, offset: this.size, length: array.length };
    this.blobs.push(array);
    this.size += array.byteLength;
    return ref;
  }

  finish(magic: number, header: unknown): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const headerBytes = Math.ceil(json.length / 4) * 4;
    const out = new Uint8Array(8 + headerBytes + this.size);
    const view = new DataView(out.buffer);
    view.setUint32(0, magic, true);
    view.setUint32(4, json.length, true);
    out.set(json, 8);
    let offset = 8 + headerBytes;
    for (const blob of this.blobs) {
      out.set(new Uint8Array(blob.buffer, blob.byteOffset, blob.byteLength), offset);
      offset += blob.byteLength;
    }
    return out;
  }
}

/** Reads a container written by `ContainerWriter`; `what` names it in errors. */
export function readContainer<H>(bytes: Uint8Array, magic: number, what: string): { header: H; read<T extends BlobType>(ref: BlobRef<T>): TypedArrayOf<T> } {
  if (bytes.byteLength < 8) throw new NonRetriableError(`${what} is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== magic) throw new NonRetriableError(`not a recstream ${what} (bad magic)`);
  const jsonLength = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLength))) as H;
  const dataStart = 8 + Math.ceil(jsonLength / 4) * 4;
  const read = <T extends BlobType>(ref: BlobRef<T>): TypedArrayOf<T> => {
    const start = dataStart + ref.offset;
    if (start + ref.length * 4 > bytes.byteLength) throw new NonRetriableError(`${what} is truncated`);
    // Copy out (a Node Buffer's slice would be a view), so the reader owns its arrays whatever buffer the bytes came in.
    const copy = new Uint8Array(bytes.subarray(start, start + ref.length * 4)).buffer;
    const array = ref.type === 'f32' ? new Float32Array(copy) : ref.type === 'i32' ? new Int32Array(copy) : new Uint32Array(copy);
    return array as TypedArrayOf<T>;
  };
  return { header, read };
}
