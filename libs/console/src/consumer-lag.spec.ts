import { describe, expect, it } from 'vitest';
import { partitionLags } from './consumer-lag.js';

describe('partitionLags', () => {
  it('subtracts the committed offset from the end, and counts every retained message where nothing is committed', () => {
    const committed = [{ topic: 'events', partitions: [{ partition: 0, offset: '40' }, { partition: 1, offset: '-1' }] }];
    const ends = [
      { topic: 'events', partitions: [{ partition: 0, low: '0', high: '55' }, { partition: 1, low: '10', high: '30' }, { partition: 2, low: '0', high: '0' }] },
    ];
    expect(partitionLags(committed, ends)).toEqual([
      { topic: 'events', partition: 0, committed: 40, end: 55, lag: 15 },
      { topic: 'events', partition: 1, committed: null, end: 30, lag: 20 },
      { topic: 'events', partition: 2, committed: null, end: 0, lag: 0 },
    ]);
  });

  it('never reports a negative lag when the end moved back (topic recreated)', () => {
    const lags = partitionLags([{ topic: 't', partitions: [{ partition: 0, offset: '90' }] }], [{ topic: 't', partitions: [{ partition: 0, low: '0', high: '12' }] }]);
    expect(lags[0]!.lag).toBe(0);
  });
});
