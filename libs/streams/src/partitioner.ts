import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * kafkajs' DefaultPartitioner (the Java client's murmur2 choice of
 * partition), computed in 32-bit integer arithmetic instead of kafkajs' Long
 * emulation and without a Buffer per key, for the ingester's CPU
 * (docs/decisions/kafka-client-cpu.md).
 * Same partition for every key (`partitioner.spec.ts` compares the two), so
 * records keep going where Java clients and earlier releases send them.
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key !== null && message.key !== undefined) return toPositive(murmur2(message.key)) % partitionMetadata.length;
    // No key: round-robin over partitions with a leader, from a random start per topic, as kafkajs does.
    const counter = (counters.get(topic) ?? Math.floor(Math.random() * 2 ** 32)) + 1;
    counters.set(topic, counter);
    const available = partitionMetadata.filter((partition) => partition.leader >= 0);
    return available.length > 0 ? available[toPositive(counter) % available.length]!.partitionId : toPositive(counter) % partitionMetadata.length;
  };
};

const toPositive = (value: number) => value & 0x7fffffff;

/** Keys are hashed from here without allocating; one longer than this gets a buffer of its own. */
const scratch = Buffer.alloc(1_024);

/** Java's `Utils.murmur2` of the key's bytes (a string is hashed as UTF-8). */
export function murmur2(key: Buffer | string): number {
  if (Buffer.isBuffer(key)) return murmur2Bytes(key, key.length);
  const text = String(key);
  if (text.length * 3 > scratch.length) return murmur2(Buffer.from(text));
  // At most 3 UTF-8 bytes per UTF-16 code unit, so the whole key fits.
  return murmur2Bytes(scratch, scratch.write(text));
}

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

function murmur2Bytes(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    h = Math.imul(h, M) ^ Math.imul(k, M);
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2]! << 16;
  if (tail >= 2) h ^= data[whole + 1]! << 8;
  if (tail >= 1) h = Math.imul(h ^ data[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  return h ^ (h >>> 15);
}
