import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itemStats, OfflineStore, type HistoryRow } from '@recstream/features';
import { Random } from '@recstream/synth';
import { asOfTimesSql, asOfValuesParams, asOfValuesSql } from '../src/steps/point-in-time.js';
import { DAY, T0, openTestDb, writeLog, type TestDb } from './harness.js';

let db: TestDb;
const random = new Random(5);
const ITEMS = ['a', 'b', 'c', 'd', 'e'];
/** Times on a coarse grid, so labels often fall exactly on a history row's time. */
const when = () => T0 + Math.floor(random.next() * 240) * (DAY / 24);

const history: HistoryRow[] = [];
for (const item of ITEMS) {
  const times = new Set(Array.from({ length: 60 }, when));
  for (const time of times) history.push({ view: itemStats.name, entityId: item, eventTime: time, values: { ...itemStats.defaults(), trend: time } });
}
const labels = Array.from({ length: 400 }, () => ({ entityId: random.pick(ITEMS), time: when() + (random.bernoulli(0.5) ? 0 : 1) }));

beforeAll(async () => {
  db = await openTestDb();
  await writeLog(db.pool, [], history);
});
afterAll(() => db?.close());

describe('the as-of join', () => {
  it("agrees with the feature store's ROW_NUMBER point-in-time read, ties and missing rows included", async () => {
    const expected = await new OfflineStore(db.pool).readPointInTime(itemStats, labels);
    expect(expected.filter((values) => values === null).length).toBeGreaterThan(0);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `CREATE TEMP TABLE keys ON COMMIT DROP AS
         SELECT n AS label_id, entity_id, to_timestamp(t / 1000.0) AS label_time FROM unnest($1::text[], $2::float8[]) WITH ORDINALITY AS l(entity_id, t, n)`,
        [labels.map((l) => l.entityId), labels.map((l) => l.time)],
      );
      const times = asOfTimesSql('keys', [itemStats]);
      await client.query(`CREATE TEMP TABLE as_of ON COMMIT DROP AS ${times.sql}`, times.params);
      const { rows } = await client.query<{ label_id: string; values: unknown }>(asOfValuesSql('as_of', 0), asOfValuesParams(itemStats));
      const got = new Map(rows.map((row) => [Number(row.label_id), row.values]));
      expect(labels.map((_, i) => got.get(i + 1) ?? null)).toEqual(expected);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
