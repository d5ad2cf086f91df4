import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { lastKeyPartitioner } from './key-partitioner.js';

const metadata = (count: number) => Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
const args = (key: string | null, partitions = 6, partition?: number): PartitionerArgs => ({
  topic: 'events',
  partitionMetadata: metadata(partitions),
  message: { key, value: 'v', partition },
});

describe('lastKeyPartitioner', () => {
  it('puts every keyed message where the default partitioner does, runs of one key and key changes alike', () => {
    const ours = lastKeyPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    const keys = ['user-1', 'user-1', 'user-1', 'user-2', 'user-1', 'user-3', 'user-3'];
    for (const key of keys) for (const partitions of [6, 6, 12]) expect(ours(args(key, partitions))).toBe(reference(args(key, partitions)));
  });

  it('keeps explicit partitions', () => {
    const ours = lastKeyPartitioner();
    ours(args('user-1'));
    expect(ours(args('user-1', 6, 4))).toBe(4);
  });

  it('spreads unkeyed messages over the partitions', () => {
    const ours = lastKeyPartitioner();
    const partitions = new Set(Array.from({ length: 12 }, () => ours(args(null))));
    expect(partitions.size).toBeGreaterThan(1);
  });
});
