import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAttributes, itemStats, userActivity, userProfile, userSequence, type HistoryRow } from '@recstream/features';
import { readSamples, SampleGenerator, type Sample } from '../src/index.js';
import { DAY, HOUR, MINUTE, T0, openTestDb, writeLog, type TestDb } from './harness.js';

let db: TestDb;
let samples: Map<string, Sample>;

const at = (hours: number) => T0 + hours * HOUR;
const U2_TIME = at(30) + 8 * DAY;
const row = (view: string, entityId: string, eventTime: number, values: unknown): HistoryRow => ({ view, entityId, eventTime, values });

/**
 * Labels at hour 10 (u1 shown i1 and i2) and at U2_TIME (u2 shown i1).
 * History that changes right after a label's time and rows older than a
 * view's TTL; u1's clicks (its behaviour sequence, read from the event log)
 * before, at and after the label time.
 */
const history: HistoryRow[] = [
  row(userProfile.name, 'u1', at(1), { attributes: { country: 'DE' } }),
  row(userProfile.name, 'u1', at(11), { attributes: { country: 'FR' } }),
  row(itemStats.name, 'i1', at(9.5), { ...itemStats.defaults(), ctr_7d: 0.25 }),
  row(itemStats.name, 'i1', at(10.5), { ...itemStats.defaults(), ctr_7d: 0.9 }),
  row(itemAttributes.name, 'i1', at(0), { ...itemAttributes.defaults(), categories: ['c1'] }),
  // u2 is shown i1 at U2_TIME: its activity row is just older than the TTL, the next one is after the label.
  row(userActivity.name, 'u2', U2_TIME - userActivity.ttlMs - MINUTE, { ...userActivity.defaults(), last_active_ms: 1 }),
  row(userActivity.name, 'u2', U2_TIME + HOUR, { ...userActivity.defaults(), last_active_ms: 2 }),
  row(itemStats.name, 'i2', at(10) - itemStats.ttlMs - MINUTE, { ...itemStats.defaults(), ctr_7d: 0.5 }),
];

beforeAll(async () => {
  db = await openTestDb();
  const exposure = (id: string, user: string, item: string, time: number) => ({ event_id: id, type: 'exposure' as const, user_id: user, item_id: item, request_id: `r-${id}`, event_time: time });
  const click = (id: string, user: string, item: string, time: number) => ({ ...exposure(id, user, item, time), type: 'click' as const });
  await writeLog(
    db.pool,
    [
      exposure('e1', 'u1', 'i1', at(10)),
      exposure('e2', 'u1', 'i2', at(10)),
      exposure('e3', 'u2', 'i1', U2_TIME),
      click('c1', 'u1', 'i9', at(2)),
      click('c2', 'u1', 'i7', at(9)),
      click('c3', 'u1', 'i5', at(10)), // at the label's own time: not yet seen by serving
      { ...click('c4', 'u1', 'i1', at(10) + 1), request_id: 'r-e1' }, // after the label, and its outcome: a dataset needs a positive
    ],
    history,
  );
  const { manifest } = await new SampleGenerator(db.pool).generate({ range: { from: T0, to: T0 + 20 * DAY } });
  samples = new Map();
  for await (const batch of readSamples(db.pool, manifest.datasetVersion)) for (const s of batch) samples.set(`${s.userId}/${s.itemId}`, s);
});
afterAll(() => db?.close());

describe('point-in-time features', () => {
  it('never show a value written after the label time, nor the one written at it', () => {
    const { features } = samples.get('u1/i1')!;
    expect(features.user_sequence).toEqual({ items: [{ item_id: 'i9', type: 'click', time: at(2) }, { item_id: 'i7', type: 'click', time: at(9) }] });
    expect(features.user_profile).toEqual({ attributes: { country: 'DE' } });
    expect(features.item_stats.ctr_7d).toBe(0.25);
    expect(features.item_attributes.categories).toEqual(['c1']);
    expect(samples.get('u1/i2')!.features.user_sequence).toEqual(features.user_sequence);
  });

  it('give defaults for views with no value within their TTL', () => {
    expect(samples.get('u1/i2')!.features.item_stats).toEqual(itemStats.defaults());
    expect(samples.get('u1/i2')!.features.item_attributes).toEqual(itemAttributes.defaults());
    const u2 = samples.get('u2/i1')!.features;
    expect(u2.user_activity).toEqual(userActivity.defaults());
    expect(u2.user_sequence).toEqual(userSequence.defaults());
    // i1's stats rows are more than a TTL older than u2's exposure; its attributes (90-day TTL) are not.
    expect(u2.item_stats).toEqual(itemStats.defaults());
    expect(u2.item_attributes.categories).toEqual(['c1']);
  });
});
