import { afterAll, describe, expect, it } from 'vitest';
import { OnlineStore } from '../src/online-store.js';
import type { BatchPlan } from '../src/plan.js';
import { newRedis, run } from './harness.js';

const redis = newRedis();
const store = new OnlineStore(redis, { namespace: `fbt-${run}-lua` });
afterAll(async () => {
  await store.clear();
  await redis.quit();
});

const plan = (from: string | undefined, to: string, expectedVersion: string, clicks: number, version = `after-${to}`): BatchPlan => ({
  topic: 't',
  partition: 0,
  version,
  from: from === undefined ? undefined : { offset: from, streamTime: 0 },
  to: { offset: to, streamTime: 1_000 },
  entities: [{ entity: 'item', id: 'i1', expectedVersion, state: '{}', views: { item_stats: { clicks } }, eventTime: 1_000 }],
  covisits: new Map([['i1', new Map([['i2', 2]])]]),
});

describe('Redis online store scripts', () => {
  it('applies a batch once: a second consumer computing from the same watermark is fenced off', async () => {
    expect(await store.apply(plan(undefined, '9', '', 1))).toBe('applied');
    expect(await store.apply(plan(undefined, '9', '', 1))).toBe('fenced');
    expect(await store.readWatermark('t', 0)).toEqual({ offset: '9', streamTime: 1_000 });
    expect(await redis.zscore(store.keys.covisit('i1'), 'i2')).toBe('2');
  });

  it('refuses a plan computed from another version of an entity, writing nothing', async () => {
    expect(await store.apply(plan('9', '19', '', 2))).toBe('conflict');
    expect(await store.apply(plan('9', '19', 'after-8', 2))).toBe('conflict');
    expect(await store.readWatermark('t', 0)).toEqual({ offset: '9', streamTime: 1_000 });
    expect(await store.apply(plan('9', '19', 'after-9', 2))).toBe('applied');
    expect(await redis.hget(store.keys.entity('item', 'i1'), '_v')).toBe('after-19');
    expect(JSON.parse((await redis.hget(store.keys.entity('item', 'i1'), 'item_stats'))!)).toEqual({ clicks: 2 });
    expect(await redis.zscore(store.keys.covisit('i1'), 'i2')).toBe('4');
  });

  it('sets a TTL on every key it writes', async () => {
    for (const key of [store.keys.entity('item', 'i1'), store.keys.covisit('i1'), store.keys.watermark('t', 0)]) {
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    }
  });

  it('skips view writes older than what is stored', async () => {
    const write = (eventTime: number, available: boolean) => ({ entity: 'item' as const, id: 'i3', view: 'item_attributes', eventTime, values: { available } });
    expect(await store.writeViews([write(200, false)])).toBe(1);
    expect(await store.writeViews([write(100, true), write(200, true)])).toBe(0);
    expect(JSON.parse((await redis.hget(store.keys.entity('item', 'i3'), 'item_attributes'))!)).toEqual({ available: false });
    expect(await redis.pttl(store.keys.entity('item', 'i3'))).toBeGreaterThan(0);
  });
});
