import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Random } from '@recstream/synth';
import { PopularityTracker, type Popularity } from '../src/popularity.js';
import { createHarness, type Harness } from './harness.js';

const ITEMS = 150_000;
const LIST_SIZE = 100;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

interface Click {
  item: string;
  at: number;
  device?: string;
  surface?: string;
}

let eventCount = 0;
async function insertClicks(harness: Harness, clicks: readonly Click[]): Promise<void> {
  const rows = clicks.map((c) => ({ t: c.at, id: `c${eventCount++}`, item: c.item, context: { ...(c.device && { device: c.device }), ...(c.surface && { surface: c.surface }) } }));
  await harness.pool.query(
    `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, context, payload)
     SELECT to_timestamp(r.t / 1000.0), r.id, 'click', 'u', r.item, r.context, '{}' FROM json_to_recordset($1::json) AS r(t float8, id text, item text, context jsonb)`,
    [JSON.stringify(rows)],
  );
}

const scoreOf = (list: Popularity['trending'], id: string) => list.find((s) => s.id === id)?.score;

describe('PopularityTracker over the event log', () => {
  let harness: Harness;
  let popularity: Popularity;
  const now = Date.parse('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    harness = await createHarness();
    // One click per item, item n clicked n seconds ago: popularity falls with n. Even items on mobile, odd on desktop.
    await harness.pool.query(
      `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, context, payload)
       SELECT to_timestamp($1 / 1000.0) - n * interval '1 second', 'e' || n, 'click', 'u' || (n % 1000), 'i' || n,
              jsonb_build_object('device', CASE WHEN n % 2 = 0 THEN 'mobile' ELSE 'desktop' END, 'surface', 'home'), '{}'
         FROM generate_series(0, $2 - 1) AS n`,
      [now, ITEMS],
    );
    popularity = await new PopularityTracker(harness.pool, { listSize: LIST_SIZE }).refresh(now);
  });
  afterAll(() => harness.close());

  it('scores every item of a catalogue larger than a call can spread, normalized to the most popular', () => {
    expect(popularity.normalized.size).toBe(ITEMS);
    expect(popularity.normalized.get('i0')).toBe(1);
    expect(popularity.normalized.get(`i${ITEMS - 1}`)).toBeLessThan(popularity.normalized.get('i1')!);
  });

  it('keeps the most popular listSize overall and per context, best first', () => {
    expect(popularity.global.map((s) => s.id)).toEqual(Array.from({ length: LIST_SIZE }, (_, n) => `i${n}`));
    expect(popularity.contextual.get('device:mobile')!.map((s) => s.id)).toEqual(Array.from({ length: LIST_SIZE }, (_, n) => `i${2 * n}`));
    expect(popularity.contextual.get('device:desktop')!.map((s) => s.id)).toEqual(Array.from({ length: LIST_SIZE }, (_, n) => `i${2 * n + 1}`));
    expect(popularity.contextual.get('surface:home')!.map((s) => s.id)).toEqual(popularity.global.map((s) => s.id));
    expect(popularity.trending.length).toBe(LIST_SIZE);
  });
});

describe('PopularityTracker between rebuilds', () => {
  let harness: Harness;
  const start = Date.parse('2026-11-30T12:00:00Z');

  beforeAll(async () => {
    harness = await createHarness();
  });
  afterAll(() => harness.close());

  it('matches a full aggregation after refreshes that read only recent events', async () => {
    const random = new Random(5);
    const click = (from: number, to: number): Click => ({
      item: `i${Math.floor(random.next() ** 2 * 300)}`,
      at: from + random.next() * (to - from),
      ...(random.next() < 0.9 && { device: random.pick(['mobile', 'desktop', 'tablet']) }),
      ...(random.next() < 0.9 && { surface: random.pick(['home', 'detail']) }),
    });
    // Nothing near the week's edge, which only a rebuild moves.
    await insertClicks(harness, Array.from({ length: 3_000 }, () => click(start - 6 * 24 * HOUR_MS, start)));
    // Lists as long as the catalogue: nothing is cut at a tie, and a rebuild keeps every item of every context.
    const options = { listSize: 300 };
    const tracker = new PopularityTracker(harness.pool, options);
    await tracker.refresh(start);
    let now = start;
    for (const step of [10, 25, 20]) {
      // Events arriving in order, some up to half an hour after their event time.
      await insertClicks(harness, Array.from({ length: 200 }, () => click(now - 30 * MINUTE_MS, now + step * MINUTE_MS)));
      now += step * MINUTE_MS;
      await tracker.refresh(now);
    }
    const incremental = await tracker.refresh(now);
    const full = await new PopularityTracker(harness.pool, options).refresh(now);

    const ids = (list: Popularity['global']) => list.map((s) => s.id);
    expect(ids(incremental.global)).toEqual(ids(full.global));
    // Trending scores tie (they are counts), so compare them by item.
    const trending = (p: Popularity) => new Map(p.trending.map((s) => [s.id, s.score]));
    expect([...trending(incremental).keys()].sort()).toEqual([...trending(full).keys()].sort());
    for (const [id, score] of trending(full)) expect(trending(incremental).get(id), id).toBeCloseTo(score, 9);
    expect([...incremental.contextual.keys()].sort()).toEqual([...full.contextual.keys()].sort());
    for (const [key, list] of full.contextual) expect(ids(incremental.contextual.get(key)!), key).toEqual(ids(list));
    expect(incremental.normalized.size).toBe(full.normalized.size);
    for (const [id, value] of full.normalized) expect(incremental.normalized.get(id), id).toBeCloseTo(value, 9);
  });

  it('drops interactions that left the last day from trending without a rebuild, and counts very late ones from the next rebuild', async () => {
    const tracker = new PopularityTracker(harness.pool, { rebuildEveryMs: HOUR_MS });
    const at = start + 10 * 24 * HOUR_MS;
    // 24 clicks 23.5 hours ago and one 10 minutes ago: the day's hourly mean is 25 / 24.
    await insertClicks(harness, [...Array.from({ length: 24 }, () => ({ item: 'steady', at: at - 23.5 * HOUR_MS })), { item: 'steady', at: at - 10 * MINUTE_MS }]);
    await insertClicks(harness, [{ item: 'late', at: at - 3 * HOUR_MS }]);
    const first = await tracker.refresh(at);
    expect(scoreOf(first.trending, 'steady')).toBeCloseTo(2 / (25 / 24 + 1), 9);

    // Five clicks two hours old arrive after the rebuild: more than an hour late.
    await insertClicks(harness, Array.from({ length: 5 }, () => ({ item: 'late', at: at - 2 * HOUR_MS })));
    const later = await tracker.refresh(at + 40 * MINUTE_MS);
    // The 24 old clicks are now more than a day old; the recent one is still within the hour.
    expect(scoreOf(later.trending, 'steady')).toBeCloseTo(2 / (1 / 24 + 1), 9);
    const rebuilt = await new PopularityTracker(harness.pool).refresh(at + 40 * MINUTE_MS);
    const lateShare = (p: Popularity) => p.normalized.get('late')! / p.normalized.get('steady')!;
    expect(lateShare(later)).toBeLessThan(lateShare(rebuilt) / 3);

    const afterRebuild = await tracker.refresh(at + 61 * MINUTE_MS);
    const fresh = await new PopularityTracker(harness.pool).refresh(at + 61 * MINUTE_MS);
    expect(lateShare(afterRebuild)).toBeCloseTo(lateShare(fresh), 9);
  });
});
