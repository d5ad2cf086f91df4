/**
 * Redis Cluster's key slots, computed as the cluster does (CRC16-XMODEM of
 * the key, or of its first non-empty `{hash tag}`, modulo 16384), so the
 * online store can group a batch's writes by slot before sending them.
 */
export const SLOT_COUNT = 16_384;

const CRC_TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/** crc16 of `key`'s characters `from` to `to` when all are ASCII (their UTF-8 bytes), else -1. */
function asciiCrc16(key: string, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    const code = key.charCodeAt(i);
    if (code > 0x7f) return -1;
    crc = ((crc << 8) & 0xffff) ^ CRC_TABLE[((crc >> 8) ^ code) & 0xff]!;
  }
  return crc;
}

const encoder = new TextEncoder();

/** The slot Redis Cluster stores `key` in. Online reads hash every key they fetch, so ASCII keys skip encoding. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const tagged = close > open + 1;
  const from = tagged ? open + 1 : 0;
  const to = tagged ? close : key.length;
  const crc = asciiCrc16(key, from, to);
  return (crc >= 0 ? crc : crc16(encoder.encode(key.slice(from, to)))) % SLOT_COUNT;
}

let tags: string[] | undefined;

/**
 * A short string whose hash tag `{tag}` puts a key in `slot`: how a fence
 * key is placed beside the entity keys it guards. Found once for every slot
 * by trying base-36 numbers in order.
 */
export function slotTag(slot: number): string {
  if (!tags) {
    const found = new Array<string>(SLOT_COUNT);
    let missing = SLOT_COUNT;
    for (let n = 0; missing > 0; n++) {
      const tag = n.toString(36);
      const s = keySlot(tag);
      if (found[s] === undefined) {
        found[s] = tag;
        missing--;
      }
    }
    tags = found;
  }
  const tag = tags[slot];
  if (tag === undefined) throw new RangeError(`no slot ${slot}: slots run from 0 to ${SLOT_COUNT - 1}`);
  return tag;
}
