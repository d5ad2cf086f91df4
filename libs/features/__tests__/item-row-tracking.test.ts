import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ItemRowTracking } from '../src/item-row-tracking.js';
import { KeyLayout } from '../src/keys.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { encodeRow } from '../src/rows.js';
import { logger, newRedis, run } from './harness.js';

const namespace = `fbt-${run}-tracking`;
const keys = new KeyLayout(namespace);
const redis = newRedis();
/** Writes as the feature builder would: from a connection of its own. */
const writer = newRedis();
const tracking = new ItemRowTracking(redis, namespace, logger);
const reader = new OnlineFeatureReader(redis, { namespace }, tracking);
const mget = vi.spyOn(redis, 'mget');

const row = (available: boolean) => encodeRow('item', { item_attributes: { categories: ['c'], tags: [], available, created_time: 1 } });
const available = async (itemId: string) => (await reader.readItems([itemId]))[0]!.item_attributes.available;

/** Polls until `read` gives `expected`, failing after 2 s: an invalidation is a message that takes a moment. */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const deadline = Date.now() + 2_000;
  while ((await read()) !== expected) {
    if (Date.now() > deadline) throw new Error(`still not ${String(expected)} after 2 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(() => tracking.connect());
afterAll(async () => {
  tracking.disconnect();
  const found = await writer.keys(keys.pattern);
  if (found.length > 0) await writer.del(found);
  await Promise.all([redis.quit(), writer.quit()]);
});

describe('ItemRowTracking with OnlineFeatureReader', () => {
  it('reads an unchanged item row from Redis once, and every change as soon as Redis reports it', async () => {
    await writer.set(keys.row('item', 'a'), row(true));
    expect(await available('a')).toBe(true);
    mget.mockClear();
    expect(await available('a')).toBe(true);
    expect(mget).not.toHaveBeenCalled();

    await writer.set(keys.row('item', 'a'), row(false));
    await eventually(() => available('a'), false);
    await writer.del(keys.row('item', 'a'));
    await eventually(async () => (await reader.readItems(['a']))[0]!.found, false);
  });

  it('reads only the items it does not hold, and returns all in the order asked', async () => {
    await writer.mset(keys.row('item', 'b'), row(true), keys.row('item', 'c'), row(false));
    await reader.readItems(['b']);
    mget.mockClear();
    const [c, b] = await reader.readItems(['c', 'b']);
    expect([c!.item_id, c!.item_attributes.available, b!.item_id, b!.item_attributes.available]).toEqual(['c', false, 'b', true]);
    expect(mget).toHaveBeenCalledTimes(1);
    expect(mget.mock.calls[0]![0]).toEqual([keys.row('item', 'c')]);
  });

  it('does not keep a row when a change was reported while it was being read', async () => {
    await writer.set(keys.row('item', 'd'), row(true));
    const token = tracking.readStarted();
    expect(tracking.stillCurrent(token)).toBe(true);
    await writer.set(keys.row('item', 'd'), row(false));
    await eventually(async () => tracking.stillCurrent(token), false);
  });

  it('forgets everything when its connection drops, and sees changes made while it was down', async () => {
    await writer.set(keys.row('item', 'e'), row(true));
    await available('e');
    expect(await available('e')).toBe(true);
    const tracker = String(await writer.client('LIST')).split('\n').find((line) => line.includes(` name=item-rows:${namespace} `));
    expect(tracker).toBeDefined();
    await writer.client('KILL', 'ID', /id=(\d+)/.exec(tracker!)![1]!);
    await writer.set(keys.row('item', 'e'), row(false));
    await eventually(() => available('e'), false);
    // Tracking comes back by itself, and rows are kept again.
    await eventually(async () => tracking.readStarted() !== null, true);
    await available('e');
    mget.mockClear();
    await available('e');
    expect(mget).not.toHaveBeenCalled();
  });
});
