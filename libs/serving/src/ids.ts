/**
 * Our ids are strings; model tables take non-negative integers. This is the
 * vocabulary between them: a 31-bit FNV-1a hash, so the trainer and every
 * serving replica map an id to the same row without sharing a lookup table.
 * A 100k-item catalogue expects about two colliding pairs (n^2 / 2^32),
 * which then share an embedding row: tolerable noise for a recommender.
 */
export function vocabularyId(id: string): number {
  return fnv1a(id) >>> 1;
}

/** A uniform number in [0, 1) from a string, for deterministic bucketing. */
export function unitHash(value: string): number {
  return fnv1a(value) / 2 ** 32;
}

function fnv1a(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche (murmur3's fmix32): plain FNV-1a leaves nearby inputs in nearby buckets.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
