import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemAttributes, itemStats, OfflineStore, userActivity, type HistoryRow, type UserActivity } from '@recstream/features';
import type { InteractionEventInput } from '@recstream/schemas';
import { Random } from '@recstream/synth';
import { readSamples, SampleGenerator, type Sample } from '../src/index.js';
import { DAY, HOUR, MINUTE, T0, openTestDb, writeLog, type TestDb } from './harness.js';

let db: TestDb;
let samples: Sample[];
let datasetVersion: string;
const random = new Random(11);
const USERS = ['u0', 'u1', 'u2', 'u3'];
const ITEMS = ['a', 'b', 'c', 'd'];

/**
 * Lists served every 20 minutes for two days, so an item is shown many times
 * between two of its hourly stats rows; item c's only stats row is older than
 * the view's TTL, item d has no history at all, and every row's values are
 * unique (the row's time), so a sample's values tell which row it read.
 */
const events: InteractionEventInput[] = [];
for (let n = 0; n < 144; n++) {
  const time = T0 + DAY + n * 20 * MINUTE + Math.floor(random.next() * MINUTE);
  const user = random.pick(USERS);
  for (const [position, item] of ITEMS.filter(() => random.bernoulli(0.7)).entries()) {
    const base = { user_id: user, item_id: item, request_id: `r${n}`, context: { position } };
    events.push({ ...base, event_id: `x${n}-${item}`, type: 'exposure', event_time: time });
    if (random.bernoulli(0.2)) events.push({ ...base, event_id: `c${n}-${item}`, type: 'click', event_time: time + MINUTE });
  }
}
const row = (view: string, entityId: string, eventTime: number, values: object): HistoryRow => ({ view, entityId, eventTime, values });
const history: HistoryRow[] = [
  ...['a', 'b'].flatMap((item) => Array.from({ length: 72 }, (_, h) => row(itemStats.name, item, T0 + DAY + h * HOUR, { ...itemStats.defaults(), trend: h }))),
  row(itemStats.name, 'c', T0 + DAY - itemStats.ttlMs - HOUR, { ...itemStats.defaults(), trend: -1 }),
  ...['a', 'b', 'c'].map((item) => row(itemAttributes.name, item, T0, { ...itemAttributes.defaults(), categories: [`cat-${item}`] })),
  ...USERS.flatMap((user) => Array.from({ length: 12 }, (_, h) => row(userActivity.name, user, T0 + DAY + h * 4 * HOUR, activityStoredBy(user, h)))),
];

/** u3's activity as stored before the view counted tags: without `tag_counts`. */
function activityStoredBy(user: string, h: number): object {
  const activity: Partial<UserActivity> = { ...userActivity.defaults(), last_active_ms: h };
  if (user === 'u3') delete activity.tag_counts;
  return activity;
}

beforeAll(async () => {
  db = await openTestDb();
  await writeLog(db.pool, events, history);
  const { manifest } = await new SampleGenerator(db.pool).generate({ range: { from: T0, to: T0 + 4 * DAY } });
  datasetVersion = manifest.datasetVersion;
  samples = [];
  for await (const batch of readSamples(db.pool, datasetVersion, { batchSize: 100 })) samples.push(...batch);
});
afterAll(() => db?.close());

describe('feature rows', () => {
  it("give every sample the feature store's own point-in-time values, or the view's defaults, field by field", async () => {
    expect(samples.length).toBe(events.filter((event) => event.type === 'exposure').length);
    const store = new OfflineStore(db.pool);
    for (const [view, entity] of [[itemStats, 'itemId'], [itemAttributes, 'itemId'], [userActivity, 'userId']] as const) {
      // As of just before the label time: the history times are whole milliseconds.
      const expected = await store.readPointInTime(view, samples.map((sample) => ({ entityId: sample[entity], time: sample.labelTime - 1 })));
      expect(samples.map((sample) => sample.features[view.name as keyof Sample['features']])).toEqual(expected.map((values) => ({ ...view.defaults(), ...(values as object) })));
    }
    const u3 = samples.filter((sample) => sample.userId === 'u3');
    expect(u3.length).toBeGreaterThan(0);
    expect(u3.every((sample) => JSON.stringify(sample.features.user_activity.tag_counts) === '{}')).toBe(true);
    expect(new Set(samples.filter((sample) => sample.itemId === 'c').map((sample) => sample.features.item_stats.trend))).toEqual(new Set([itemStats.defaults().trend]));
  });

  it('store an item once per set of history rows read, not once per label time', async () => {
    const { rows } = await db.pool.query<{ keys: number; shown: number }>(
      `SELECT count(DISTINCT item_key)::int AS keys, count(DISTINCT (item_id, label_time))::int AS shown FROM samples WHERE dataset_version = $1`,
      [datasetVersion],
    );
    const rowsRead = new Set(samples.map((sample) => JSON.stringify([sample.itemId, sample.features.item_stats, sample.features.item_attributes])));
    expect(rows[0]!.keys).toBe(rowsRead.size);
    expect(rows[0]!.keys).toBeLessThan(rows[0]!.shown / 2);
  });
});
