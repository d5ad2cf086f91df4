import { afterAll, describe, expect, it } from 'vitest';
import { KeyLayout } from '../src/keys.js';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { encodeRow } from '../src/rows.js';
import { newRedis, run } from './harness.js';

const namespace = `fbt-${run}-reader`;
const redis = newRedis();
const keys = new KeyLayout(namespace);
const reader = new OnlineFeatureReader(redis, { namespace });
afterAll(async () => {
  const found = await redis.keys(keys.pattern);
  if (found.length > 0) await redis.del(found);
  await redis.quit();
});

const interaction = (item: string, time: number) => ({ item_id: item, type: 'click', event_time: time });

describe('OnlineFeatureReader.readUserWithCovisits', () => {
  it('reads the user and the co-visitation lists of their latest items in one call, as the separate reads give them', async () => {
    const items = ['a', 'b', 'c', 'b', 'd'].map((item, i) => interaction(item, 1_000 + i));
    await redis.set(keys.row('user', 'u1'), encodeRow('user', { user_sequence: { items }, user_profile: { country: 'fr' } }));
    await redis.zadd(keys.covisit('c'), 5, 'x', 9, 'y', 1, 'z');
    await redis.zadd(keys.covisit('d'), 2, 'x');

    const { user, covisited } = await reader.readUserWithCovisits('u1', 3, 2);
    expect(user).toEqual(await reader.readUser('u1'));
    expect(user.user_sequence.items.map((e) => e.item_id)).toEqual(['a', 'b', 'c', 'b', 'd']);
    expect(covisited).toEqual([
      { seed: 'c', items: await reader.covisited('c', 2) },
      { seed: 'b', items: [] },
      { seed: 'd', items: await reader.covisited('d', 2) },
    ]);
    expect(covisited[0]!.items).toEqual([{ item_id: 'y', count: 9 }, { item_id: 'x', count: 5 }]);
  });

  it('gives a user the store does not know, or one without a sequence, their defaults and no lists', async () => {
    const unknown = await reader.readUserWithCovisits('nobody', 3, 2);
    expect(unknown).toEqual({ user: await reader.readUser('nobody'), covisited: [] });
    expect(unknown.user.found).toBe(false);
    await redis.set(keys.row('user', 'profile-only'), encodeRow('user', { user_profile: { country: 'de' } }));
    const profileOnly = await reader.readUserWithCovisits('profile-only', 3, 2);
    expect(profileOnly.covisited).toEqual([]);
    expect(profileOnly.user.found).toBe(true);
  });
});

describe('OnlineFeatureReader.readItems', () => {
  it('decodes a row again only when it changed, and sees every change', async () => {
    const attributes = (available: boolean) => ({ categories: ['c1'], tags: [], available, created_time: 5 });
    await redis.set(keys.row('item', 'i1'), encodeRow('item', { item_attributes: attributes(true) }));
    const [first, missing] = await reader.readItems(['i1', 'no-such-item']);
    const [again, missingAgain] = await reader.readItems(['i1', 'no-such-item']);
    expect(again).toBe(first);
    expect(missingAgain).toBe(missing);
    expect(missing!.found).toBe(false);

    await redis.set(keys.row('item', 'i1'), encodeRow('item', { item_attributes: attributes(false) }));
    const [changed] = await reader.readItems(['i1']);
    expect(changed!.item_attributes.available).toBe(false);
    await redis.del(keys.row('item', 'i1'));
    const [deleted] = await reader.readItems(['i1']);
    expect(deleted!.found).toBe(false);
    expect(deleted!.item_attributes).toEqual(missing!.item_attributes);
  });

  it('decodes every read afresh with no rows kept, and reads the same either way', async () => {
    const uncached = new OnlineFeatureReader(redis, { namespace, decodedItems: 0 });
    await redis.set(keys.row('item', 'i2'), encodeRow('item', { item_attributes: { categories: ['c2'], tags: ['t'], available: true, created_time: 9 } }));
    const [a] = await uncached.readItems(['i2']);
    const [b] = await uncached.readItems(['i2']);
    expect(b).not.toBe(a);
    expect(b).toEqual(a);
    expect(await reader.readItems(['i2'])).toEqual([a]);
  });
});
