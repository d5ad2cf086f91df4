import { afterAll, describe, expect, it } from 'vitest';
import { OnlineFeatureReader } from '../src/online-reader.js';
import { OnlineFeatureWriter } from '../src/online-writer.js';
import type { BatchPlan } from '../src/plan.js';
import { itemStats } from '../src/views.js';
import { newRedis, run } from './harness.js';

const redis = newRedis();
const store = new OnlineFeatureWriter(redis, { namespace: `fbt-${run}-lua` });
const reader = new OnlineFeatureReader(redis, { namespace: `fbt-${run}-lua` });
afterAll(async () => {
  await store.clear();
  await redis.quit();
});

const plan = (from: string | undefined, to: string, expectedToken: string, clicks: number, writeToken = `after-${to}`): BatchPlan => ({
  topic: 't',
  partition: 0,
  writeToken,
  from: from === undefined ? undefined : { offset: from, streamTime: 0 },
  to: { offset: to, streamTime: 1_000 },
  entities: [{ entity: 'item', id: 'i1', expectedToken, state: '{}', views: { item_stats: { ...itemStats.defaults(), clicks: { '1h': 0, '24h': 0, '7d': clicks } } }, eventTime: 1_000 }],
  covisits: new Map([['i1', new Map([['i2', 2]])]]),
});

describe('Redis online store scripts', () => {
  it('applies a batch once: a second consumer computing from the same watermark is fenced off', async () => {
    expect(await store.apply(plan(undefined, '9', '', 1))).toBe('applied');
    expect(await store.apply(plan(undefined, '9', '', 1))).toBe('fenced');
    expect(await store.readWatermark('t', 0)).toEqual({ offset: '9', streamTime: 1_000 });
    expect(await redis.zscore(store.keys.covisit('i1'), 'i2')).toBe('2');
  });

  it('refuses a plan computed from another write of an entity, writing nothing', async () => {
    expect(await store.apply(plan('9', '19', '', 2))).toBe('conflict');
    expect(await store.apply(plan('9', '19', 'after-8', 2))).toBe('conflict');
    expect(await store.readWatermark('t', 0)).toEqual({ offset: '9', streamTime: 1_000 });
    expect(await store.apply(plan('9', '19', 'after-9', 2))).toBe('applied');
    expect(await redis.hget(store.keys.state('item', 'i1'), '_v')).toBe('after-19');
    expect((await reader.readItems(['i1']))[0]!.item_stats.clicks['7d']).toBe(2);
    expect(await redis.zscore(store.keys.covisit('i1'), 'i2')).toBe('4');
  });

  it('sets a TTL on every key it writes', async () => {
    for (const key of [...store.keys.entityKeys('item', 'i1'), store.keys.covisit('i1'), store.keys.watermark('t', 0)]) {
      expect(await redis.pttl(key)).toBeGreaterThan(0);
    }
  });

  it('skips view writes older than what is stored', async () => {
    const write = (eventTime: number, available: boolean) => ({ entity: 'item' as const, id: 'i3', view: 'item_attributes', eventTime, values: { available } });
    expect(await store.writeViews([write(200, false)])).toBe(1);
    expect(await store.writeViews([write(100, true), write(200, true)])).toBe(0);
    expect((await reader.readItems(['i3']))[0]!.item_attributes).toMatchObject({ available: false });
    for (const key of store.keys.entityKeys('item', 'i3')) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });

  it('keeps every view of an entity in its row: a batch and a catalogue write each replace only their own', async () => {
    const attributes = { entity: 'item' as const, id: 'i4', view: 'item_attributes', values: { categories: ['books'] } };
    expect(await store.writeViews([{ ...attributes, eventTime: 100 }])).toBe(1);
    const batch: BatchPlan = { ...plan(undefined, '3', '', 5), partition: 1, entities: [{ ...plan(undefined, '3', '', 5).entities[0]!, id: 'i4' }] };
    expect(await store.apply(batch)).toBe('applied');
    expect(await store.writeViews([{ ...attributes, eventTime: 200, values: { categories: ['music'] } }])).toBe(1);
    const [item] = await reader.readItems(['i4']);
    expect(item).toMatchObject({ found: true, item_stats: { clicks: { '7d': 5 } }, item_attributes: { categories: ['music'] } });
    const { stored } = await store.loadEntities('t', 1, [{ entity: 'item', id: 'i4' }]);
    expect(JSON.parse(stored.get('item:i4')!.attributes!)).toEqual({ categories: ['music'] });
  });

  it('applies a chunk with more arguments than a function call can take', async () => {
    const entities = Array.from({ length: 30_000 }, (_, i) => ({ ...plan(undefined, '1', '', 1).entities[0]!, entity: 'user' as const, id: `big-${i}`, views: { user_activity: { last_active_ms: i } } }));
    expect(await store.apply({ ...plan(undefined, '1', '', 1), partition: 2, entities, covisits: new Map() })).toBe('applied');
    expect((await reader.read({ userId: 'big-29999', itemIds: [] })).user.user_activity.last_active_ms).toBe(29_999);
  });
});
