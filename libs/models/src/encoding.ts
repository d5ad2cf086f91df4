import { DEVICES } from '@recstream/schemas';

/**
 * How our string ids and request context become the integers a Batch holds,
 * the same for the trainer, the online updater and serving, without any
 * shared lookup table: ids hash to 31 bits (the embedding tables then map
 * them to rows without collisions). A 100k-item catalogue expects about two
 * colliding id pairs (n^2 / 2^32), which share a row: tolerable noise.
 */
export function vocabularyId(id: string): number {
  return hash32(id) >>> 1;
}

/** FNV-1a with murmur3's final avalanche (plain FNV-1a leaves nearby inputs in nearby buckets). */
export function hash32(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * The integer context columns for `FeatureSpec.contextFields`: `device` is
 * its index in the event contract's DEVICES, `hour` the UTC hour (0-23) and
 * `weekday` 0-6 from Sunday (both from `time`), any other field the
 * vocabulary id of its string value; a missing value is -1 (the padding).
 */
export function encodeContext(fields: readonly string[], context: Record<string, unknown>, time: number): number[] {
  const date = new Date(time);
  return fields.map((field) => {
    if (field === 'hour') return date.getUTCHours();
    if (field === 'weekday') return date.getUTCDay();
    const value = context[field];
    if (value === undefined || value === null) return -1;
    if (field === 'device') return DEVICES.indexOf(value as (typeof DEVICES)[number]);
    return vocabularyId(String(value));
  });
}

/** The last `length` of `history`, oldest first, left-padded with -1: one row of `Batch.history`. */
export function historyRow(history: readonly number[], length: number): Int32Array {
  if (length === 0) return new Int32Array(0);
  const row = new Int32Array(length).fill(-1);
  const recent = history.slice(-length);
  row.set(recent, length - recent.length);
  return row;
}
