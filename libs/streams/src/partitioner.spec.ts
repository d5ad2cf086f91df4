import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@recstream/platform';
import { JavaCompatiblePartitioner } from './partitioner.js';

const metadata = (count: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
  }));

/** Keys of every length up to 300 bytes: ASCII ids, any code unit (lone surrogates included), emoji, raw bytes. */
function keys(): (string | Buffer)[] {
  const random = mulberry32(9_747);
  const length = () => Math.floor(random() * 300);
  const out: (string | Buffer)[] = ['', 'u1', 'user-123', 'ü', '\ud800', '\udc00x', '😀', 'x'.repeat(400), '€'.repeat(400)];
  for (let i = 0; i < 3_000; i++) {
    out.push(`u${Math.floor(random() * 1e9)}`);
    out.push(String.fromCharCode(...Array.from({ length: length() }, () => Math.floor(random() * 0x10000))));
    out.push(Buffer.from(Array.from({ length: length() }, () => Math.floor(random() * 256))));
  }
  return out;
}

describe('JavaCompatiblePartitioner', () => {
  it("chooses kafkajs' DefaultPartitioner's partition for every key", () => {
    const ours = JavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 6, 7, 12, 100]) {
      const partitionMetadata = metadata(count);
      for (const key of keys()) {
        const args = { topic: 't', partitionMetadata, message: { key, value: 'v' } };
        expect(ours(args), `${count} partitions, key ${JSON.stringify(key)}`).toBe(theirs(args));
      }
    }
  });

  it('keeps a partition the message names', () => {
    expect(JavaCompatiblePartitioner()({ topic: 't', partitionMetadata: metadata(6), message: { key: 'u1', value: 'v', partition: 4 } })).toBe(4);
  });

  it('spreads keyless messages round-robin over the partitions that have a leader', () => {
    const partitioner = JavaCompatiblePartitioner();
    const partitionMetadata = metadata(4, [2]);
    const chosen = Array.from({ length: 9 }, () => partitioner({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 1, 3]));
    for (let i = 3; i < chosen.length; i++) expect(chosen[i]).toBe(chosen[i - 3]);
  });
});
