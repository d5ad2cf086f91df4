import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAttributes, itemStats, modelFeatures, userActivity, userProfile, type HistoryRow, type ItemViews, type UserViews } from '@recstream/features';
import { measureFeatureSkew, SampleGenerator, type FeatureSkewReport } from '../src/index.js';
import { DAY, HOUR, T0, openTestDb, writeLog, type TestDb } from './harness.js';

let db: TestDb;
let report: FeatureSkewReport;

const at = (hours: number) => T0 + hours * HOUR;
const SERVED_AT = at(10);
const sums = (week: number) => ({ '1h': 0, '24h': week, '7d': week });

const user: UserViews = {
  user_activity: { ...userActivity.defaults(), category_counts: { c1: sums(2), c2: sums(1) }, tag_counts: { t1: sums(2), t2: sums(1) }, last_active_ms: at(2) },
  user_sequence: { items: [{ item_id: 'i1', type: 'click', time: at(2), category: 'c1' }] },
  user_profile: { attributes: { country: 'DE' } },
};
const items: Record<string, ItemViews> = {
  i1: { item_stats: { ...itemStats.defaults(), ctr_7d: 0.25, clicks: sums(3) }, item_attributes: { ...itemAttributes.defaults(), categories: ['c1'], tags: ['t1'], created_time: at(-48) } },
  i2: { item_stats: { ...itemStats.defaults(), ctr_7d: 0.1, impressions: sums(40) }, item_attributes: { ...itemAttributes.defaults(), categories: ['c2'], tags: ['t2', 't3'] } },
};

const row = (view: string, entityId: string, hours: number, values: unknown): HistoryRow => ({ view, entityId, eventTime: at(hours), values });
const history: HistoryRow[] = [
  row(userProfile.name, 'u1', 1, user.user_profile),
  row(userActivity.name, 'u1', 5, user.user_activity),
  ...Object.entries(items).flatMap(([id, views]) => [row(itemAttributes.name, id, 0, views.item_attributes), row(itemStats.name, id, 9, views.item_stats)]),
];

beforeAll(async () => {
  db = await openTestDb();
  const served = (item: string) => modelFeatures(user, items[item]!, SERVED_AT);
  const exposure = (item: string, features: object) => ({
    event_id: `x-${item}`,
    type: 'exposure' as const,
    user_id: 'u1',
    item_id: item,
    request_id: 'r1',
    event_time: SERVED_AT,
    features,
  });
  await writeLog(
    db.pool,
    [
      { event_id: 'c1', type: 'click', user_id: 'u1', item_id: 'i1', event_time: at(2) },
      exposure('i1', served('i1')),
      // Planted skew: serving read i2's CTR as twice what the offline store holds.
      exposure('i2', { ...served('i2'), item_ctr_7d: 0.2 }),
      // The exposure's outcome, after it: a dataset needs a positive.
      { event_id: 'c2', type: 'click', user_id: 'u1', item_id: 'i1', request_id: 'r1', event_time: SERVED_AT + 60_000 },
    ],
    history,
  );
  const { manifest } = await new SampleGenerator(db.pool).generate({ range: { from: T0, to: T0 + 2 * DAY } });
  report = await measureFeatureSkew(db.pool, manifest.datasetVersion);
});
afterAll(() => db?.close());

describe('training/serving skew', () => {
  it('compares every exposure that logged its features', () => {
    expect(report.exposures).toBe(2);
  });

  it('finds the planted skew, and only there', () => {
    const ctr = report.features.find((f) => f.feature === 'item_ctr_7d')!;
    expect(ctr).toMatchObject({ compared: 2, mismatches: 1, rate: 0.5, example: { requestId: 'r1', itemId: 'i2', served: 0.2, joined: 0.1 } });
    const others = report.features.filter((f) => f.feature !== 'item_ctr_7d');
    expect(others.filter((f) => f.mismatches > 0)).toEqual([]);
  });

  it('derives every feature the online path logged from the point-in-time join, the sequence category included', () => {
    const compared = report.features.filter((f) => f.compared === 2).map((f) => f.feature);
    expect(compared).toEqual(expect.arrayContaining(['item_category', 'last_category', 'user_country', 'user_category_share_7d', 'item_ctr_7d', 'item_clicks_7d', 'item_tag', 'user_tag_affinity']));
    expect(report.features.find((f) => f.feature === 'item_age_days')!.compared).toBe(1);
  });
});
