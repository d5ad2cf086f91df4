import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { waitForGroupCatchUp, type EndOffsets } from './catch-up.js';

const ends: EndOffsets = [
  {
    topic: 'events',
    partitions: [
      { partition: 0, offset: '40' },
      { partition: 1, offset: '30' },
      { partition: 2, offset: '0' },
    ],
  },
];

/** An admin whose group has committed `offsets` by partition (none where absent). */
const adminWith = (offsets: Record<number, string>) =>
  ({
    fetchOffsets: async () => [{ topic: 'events', partitions: Object.entries(offsets).map(([partition, offset]) => ({ partition: Number(partition), offset, metadata: null })) }],
  }) as unknown as Admin;

describe('waitForGroupCatchUp', () => {
  it('resolves once every partition holding messages is committed to its end', async () => {
    await expect(waitForGroupCatchUp(adminWith({ 0: '40', 1: '30' }), 'g', ends, { timeoutMs: 0 })).resolves.toBeUndefined();
  });

  it('names the partitions still behind, with their committed and end offsets, once the time is up', async () => {
    const waiting = waitForGroupCatchUp(adminWith({ 0: '40', 1: '12' }), 'g', ends, { pollMs: 1, timeoutMs: 20 });
    await expect(waiting).rejects.toThrow('consumer group g had not caught up after 0.02 s: events[1] at 12 of 30');
  });

  it('says so when a partition has no commit at all', async () => {
    await expect(waitForGroupCatchUp(adminWith({}), 'g', ends, { pollMs: 1, timeoutMs: 0 })).rejects.toThrow('events[0] at -1 of 40, events[1] at -1 of 30');
  });

  it('stops waiting once the consumer has failed for good', async () => {
    const failed = Promise.resolve(new Error('Failed to find group coordinator'));
    await expect(waitForGroupCatchUp(adminWith({}), 'g', ends, { pollMs: 1, failed })).rejects.toThrow(
      'consumer group g stopped consuming before it caught up: Failed to find group coordinator',
    );
  });
});
