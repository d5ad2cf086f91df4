import { NonRetriableError } from '@recstream/platform';
import { DEVICES, MODEL_FEATURES, isModelFeature, type ModelFeatureName, type ModelFeatures } from '@recstream/schemas';
import type { Batch, FeatureSpec } from './batch.js';
import type { RecModel } from './model.js';

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
  return avalanche(hash);
}

/** murmur3's finalizer: every input bit flips about half the output bits. */
function avalanche(hash: number): number {
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** murmur3's mixing of one 32-bit block into `hash`. */
function mixBlock(hash: number, block: number): number {
  let k = Math.imul(block, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  hash ^= Math.imul(k, 0x1b873593);
  hash = (hash << 13) | (hash >>> 19);
  return (Math.imul(hash, 5) + 0xe6546b64) | 0;
}

/** One pair a model scores: the same shape for a training sample, a serving candidate and an online example. */
export interface EncodableRow {
  userId: string;
  itemId: string;
  /** Epoch ms of the moment scored (label time offline, request time online). */
  time: number;
  context: Record<string, unknown>;
  /** The user's latest interactions before `time`, oldest first, with their item's category where known. */
  sequence: readonly { item_id: string; category?: string }[];
  /** The pair's model features (libs/features' `modelFeatures`, or as serving logged them). */
  features?: ModelFeatures;
  label?: number;
}

/** Joins the names of a crossed field: `item_category×last_category` reads both as one categorical value. */
export const CROSS = '×';
export const cross = (...fields: string[]) => fields.join(CROSS);

const HOURS_PER_DAYPART = 6;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** `new Date(time).getUTCHours()` without the Date, for times since 1970. */
const utcHour = (time: number) => Math.floor(time / HOUR_MS) % 24;

/**
 * One categorical field of `row` as an integer id, -1 when unknown (read as
 * a zero vector). Context: `device` is its index in the event contract's
 * DEVICES, `hour` the UTC hour (0-23), `daypart` the hour's quarter of the
 * day, `weekday` 0-6 from Sunday (all three from `time`), any other field
 * the vocabulary id of its value. Model features: a categorical one's
 * vocabulary id, a numeric one's bucket in `spec.numericBuckets`. Crosses:
 * one id per combination of their parts' ids.
 */
export function encodeField(field: string, row: EncodableRow, spec: FeatureSpec): number {
  return fieldEncoder(field, spec)(row);
}

/**
 * `encodeField` for one field, with the field's name resolved once, so a
 * batch does not parse it per row. Encoders remember the last value they
 * encoded, so a run of rows with one value (serving's candidates share the
 * user, the request's context and the user-side features) is encoded once;
 * `encoders` holds those of a batch by field, so crosses reuse their
 * parts' encoders and a row's value is encoded once for all of them.
 */
function fieldEncoder(field: string, spec: FeatureSpec, encoders = new Map<string, (row: EncodableRow) => number>()): (row: EncodableRow) => number {
  let encoder = encoders.get(field);
  if (!encoder) encoders.set(field, (encoder = newFieldEncoder(field, spec, encoders)));
  return encoder;
}

function newFieldEncoder(field: string, spec: FeatureSpec, encoders: Map<string, (row: EncodableRow) => number>): (row: EncodableRow) => number {
  if (field.includes(CROSS)) {
    const parts = field.split(CROSS).map((part) => fieldEncoder(part, spec, encoders));
    // Integer mixing rather than hashing a joined string: serving encodes crosses for every candidate.
    const seed = hash32(field);
    return (row) => {
      let hash = seed;
      for (const part of parts) {
        const id = part(row);
        if (id === -1) return -1;
        hash = mixBlock(hash, id);
      }
      return avalanche(hash) >>> 1;
    };
  }
  if (isModelFeature(field)) {
    const numeric = MODEL_FEATURES[field] === 'numeric';
    return remembering(
      (row) => row.features?.[field],
      (value) => {
        if (value === undefined) return -1;
        return numeric ? bucketOf(Number(value), spec.numericBuckets?.[field] ?? missingBuckets(field)) : vocabularyId(String(value));
      },
    );
  }
  if (field === 'hour') return remembering((row) => row.time, utcHour);
  if (field === 'daypart') return remembering((row) => row.time, (time) => Math.floor(utcHour(time) / HOURS_PER_DAYPART));
  // 1970-01-01 was a Thursday (4).
  if (field === 'weekday') return remembering((row) => row.time, (time) => (Math.floor(time / DAY_MS) + 4) % 7);
  return remembering(
    (row) => row.context[field],
    (value) => {
      if (value === undefined || value === null) return -1;
      if (field === 'device') return DEVICES.indexOf(value as (typeof DEVICES)[number]);
      return vocabularyId(String(value));
    },
  );
}

/** An encoder of the value `read` takes from a row that reuses the last id when the value is the last one's. */
function remembering<T>(read: (row: EncodableRow) => T, encode: (value: T) => number): (row: EncodableRow) => number {
  let encoded = false;
  let last: T;
  let lastId = -1;
  return (row) => {
    const value = read(row);
    if (!encoded || value !== last) {
      encoded = true;
      last = value;
      lastId = encode(value);
    }
    return lastId;
  };
}

/** The numeric model features `spec` reads, directly or in a cross: those that need buckets. */
export function numericFeatures(spec: FeatureSpec): ModelFeatureName[] {
  const names = spec.contextFields.flatMap((field) => field.split(CROSS)).filter((name) => isModelFeature(name) && MODEL_FEATURES[name] === 'numeric');
  return [...new Set(names)] as ModelFeatureName[];
}

/** Whether `spec` reads any model feature (directly or in a cross), so rows must carry `features`. */
export function readsModelFeatures(spec: FeatureSpec): boolean {
  return spec.contextFields.some((field) => field.split(CROSS).some(isModelFeature));
}

/** Rows as one model batch for `spec`: hashed ids, encoded field columns, left-padded history. */
export function encodeRows(spec: FeatureSpec, rows: readonly EncodableRow[]): Batch {
  const size = rows.length;
  const batch: Batch = {
    size,
    userIds: Int32Array.from(rows, remembering((row) => row.userId, vocabularyId)),
    itemIds: Int32Array.from(rows, (row) => vocabularyId(row.itemId)),
  };
  if (rows[0]?.label !== undefined) batch.labels = Float32Array.from(rows, (row) => row.label ?? 0);
  if (spec.contextFields.length > 0) {
    const encoders = new Map<string, (row: EncodableRow) => number>();
    const fields = spec.contextFields.map((field) => fieldEncoder(field, spec, encoders));
    const columns = fields.map(() => new Int32Array(size));
    // Row by row, so a cross finds its parts' encoders holding this row's values.
    for (let i = 0; i < size; i++) {
      const row = rows[i]!;
      for (let f = 0; f < fields.length; f++) columns[f]![i] = fields[f]!(row);
    }
    batch.context = columns;
  }
  const length = spec.historyLength;
  if (length > 0) {
    batch.history = sequenceColumn(rows, length, (entry) => vocabularyId(entry.item_id));
    if (spec.historyCategories) batch.historyCategories = sequenceColumn(rows, length, (entry) => (entry.category === undefined ? -1 : vocabularyId(entry.category)));
  }
  return batch;
}

/** One id per sequence entry of every row, laid out as `Batch.history` (the latest `length`, left-padded with -1). */
function sequenceColumn(rows: readonly EncodableRow[], length: number, idOf: (entry: EncodableRow['sequence'][number]) => number): Int32Array {
  const column = new Int32Array(rows.length * length);
  // Serving's candidates share one sequence: encode it once, not once per candidate.
  const encoded = new Map<EncodableRow['sequence'], Int32Array>();
  rows.forEach((row, i) => {
    let ids = encoded.get(row.sequence);
    if (!ids) encoded.set(row.sequence, (ids = historyRow(row.sequence.map(idOf), length)));
    column.set(ids, i * length);
  });
  return column;
}

/**
 * Whether a field describes the item alone (every part of it an `item_`
 * model feature): what a two-tower model's item tower reads, and what a
 * sampled negative takes from its own item rather than from the positive.
 */
export function isItemField(field: string): boolean {
  return field.split(CROSS).every((part) => isModelFeature(part) && part.startsWith('item_'));
}

/** A model as a scorer of rows. */
export function modelScorer(model: RecModel): { score(rows: readonly EncodableRow[]): Float32Array } {
  return { score: (rows) => model.score(encodeRows(model.spec, rows)) };
}

/**
 * Bucket boundaries for each numeric model feature `spec` reads, fitted on
 * `rows` (a sample of the training data): the smallest value gets a bucket
 * of its own (counts are mostly 0), and quantiles of the values above it
 * split the rest into up to `buckets - 1` buckets of about equal size.
 */
export function fitNumericBuckets(spec: FeatureSpec, rows: readonly EncodableRow[], buckets = 16): Record<string, number[]> {
  const fitted: Record<string, number[]> = {};
  for (const name of numericFeatures(spec)) {
    const values = rows.map((row) => row.features?.[name]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const above = values.filter((value) => value > values[0]!);
    const bounds = new Set<number>();
    for (let q = 0; q < buckets - 1 && above.length > 0; q++) bounds.add(above[Math.floor((q * above.length) / (buckets - 1))]!);
    fitted[name] = [...bounds].sort((a, b) => a - b);
  }
  return fitted;
}

/** How many boundaries `value` is at or above: 0 to `bounds.length`. */
function bucketOf(value: number, bounds: readonly number[]): number {
  let low = 0;
  let high = bounds.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (bounds[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function missingBuckets(field: string): never {
  throw new NonRetriableError(`the feature spec reads numeric feature ${field} but has no buckets for it; fit them with fitNumericBuckets`);
}

/** The last `length` of `history`, oldest first, left-padded with -1: one row of `Batch.history`. */
export function historyRow(history: readonly number[], length: number): Int32Array {
  if (length === 0) return new Int32Array(0);
  const row = new Int32Array(length).fill(-1);
  const recent = history.slice(-length);
  row.set(recent, length - recent.length);
  return row;
}
