import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPopularity, type Popularity } from '../src/popularity.js';
import { createHarness, type Harness } from './harness.js';

const ITEMS = 150_000;
const LIST_SIZE = 100;

describe('loadPopularity over the event log', () => {
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
    popularity = await loadPopularity(harness.pool, { listSize: LIST_SIZE }, now);
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
