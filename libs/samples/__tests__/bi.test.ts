import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratioInterval } from '@recstream/platform';
import { ModelRegistry } from '@recstream/registry';
import type { InteractionEventInput } from '@recstream/schemas';
import { refreshBiViews, SampleGenerator } from '../src/index.js';
import { DAY, MINUTE, T0, openTestDb, writeLog, type TestDb } from './harness.js';

let db: TestDb;

/** Variant A: 40 exposures, 10 clicked; B: 40 exposures, 2 clicked. Two days, two surfaces. */
function experimentLog(): InteractionEventInput[] {
  const events: InteractionEventInput[] = [];
  for (let n = 0; n < 80; n++) {
    const variant = n % 2 === 0 ? 'A' : 'B';
    const time = T0 + (n < 40 ? 0 : DAY) + n * MINUTE;
    const base = { user_id: `u${n % 8}`, item_id: `i${n % 20}`, request_id: `r${n}`, experiment: 'ranker', variant, context: { surface: n % 4 === 0 ? 'home' : 'detail', position: n % 3 } };
    events.push({ ...base, event_id: `x${n}`, type: 'exposure', event_time: time });
    const clicked = variant === 'A' ? n % 8 === 0 : n % 40 === 1;
    if (clicked) events.push({ ...base, event_id: `c${n}`, type: 'click', event_time: time + 1_000, experiment: undefined, variant: undefined });
  }
  return events;
}

beforeAll(async () => {
  db = await openTestDb();
  await writeLog(db.pool, experimentLog());
  await refreshBiViews(db.pool);
});
afterAll(() => db?.close());

describe('BI views', () => {
  it('count daily active users and CTR by day, surface and position', async () => {
    const { rows: dau } = await db.pool.query('SELECT day::text, active_users::int FROM bi_daily_active_users ORDER BY day');
    expect(dau).toEqual([
      { day: '2026-03-01', active_users: 8 },
      { day: '2026-03-02', active_users: 8 },
    ]);
    const { rows } = await db.pool.query(`SELECT sum(exposures)::int AS exposures, sum(clicks)::int AS clicks FROM bi_daily_events WHERE surface = 'home'`);
    expect(rows[0]).toEqual({ exposures: 20, clicks: 10 });
    const { rows: cells } = await db.pool.query('SELECT exposures::int, clicks::int, ctr FROM bi_daily_events WHERE exposures > 0');
    for (const cell of cells) expect(cell.ctr).toBeCloseTo(cell.clicks / cell.exposures, 12);
  });

  it('report per-variant CTR with the per-user sums a user-level interval needs, live and materialized', async () => {
    const { rows: users } = await db.pool.query(`SELECT variant, user_id, exposures::int, clicks::int FROM experiment_user_outcomes WHERE variant = 'A' ORDER BY user_id`);
    expect(users.map((r) => [r.user_id, r.exposures, r.clicks])).toEqual([
      ['u0', 10, 10],
      ['u2', 10, 0],
      ['u4', 10, 0],
      ['u6', 10, 0],
    ]);
    const columns = 'variant, users::int, exposures::int, clicks::int, ctr, exposures_sq::int, clicks_sq::int, clicks_exposures::int';
    const { rows: live } = await db.pool.query(`SELECT ${columns} FROM experiment_variant_metrics ORDER BY variant`);
    expect(live).toEqual([
      { variant: 'A', users: 4, exposures: 40, clicks: 10, ctr: 0.25, exposures_sq: 400, clicks_sq: 100, clicks_exposures: 100 },
      { variant: 'B', users: 4, exposures: 40, clicks: 2, ctr: 0.05, exposures_sq: 400, clicks_sq: 4, clicks_exposures: 20 },
    ]);
    const { rows: materialized } = await db.pool.query(`SELECT ${columns} FROM bi_experiment_outcomes ORDER BY variant`);
    expect(materialized).toEqual(live);
    // All of A's clicks are one user's: s_yy = (100 − 10²/4) / 3 = 25, so se = √(25 / (4 · 10²)) = 0.25,
    // where per-exposure Wilson gave 0.142 to 0.402 as if 40 exposures were 40 independent trials.
    const a = live[0]!;
    const ctr = ratioInterval({ units: a.users, x: a.exposures, y: a.clicks, xx: a.exposures_sq, yy: a.clicks_sq, xy: a.clicks_exposures });
    expect(ctr.se).toBeCloseTo(0.25, 12);
    expect(ctr.high - ctr.low).toBeGreaterThan(3 * (0.4019 - 0.1419));
  });

  it('measure item coverage and exposure concentration', async () => {
    const { rows } = await db.pool.query('SELECT day::text, known_items::int, items_exposed::int, exposure_coverage, exposure_gini FROM bi_item_coverage ORDER BY day');
    expect(rows[0]).toMatchObject({ day: '2026-03-01', known_items: 20, items_exposed: 20, exposure_coverage: 1 });
    // Every item is shown exactly twice a day: no concentration at all.
    expect(rows[0]!.exposure_gini).toBeCloseTo(0, 12);
  });

  it('list dataset manifests and model metrics over time', async () => {
    const { manifest } = await new SampleGenerator(db.pool).generate({ range: { from: T0, to: T0 + 2 * DAY } });
    const registry = new ModelRegistry(db.pool);
    await registry.register({ role: 'ranking', modelType: 'deepfm', datasetVersion: manifest.datasetVersion, metrics: { auc: 0.71, logloss: 0.4 } }, new Uint8Array([1]));
    const { rows: manifests } = await db.pool.query('SELECT dataset_version, status, sample_count::int, train_samples::int FROM bi_dataset_manifests');
    expect(manifests).toEqual([{ dataset_version: manifest.datasetVersion, status: 'ready', sample_count: 80, train_samples: manifest.splitCounts.train }]);
    const { rows: metrics } = await db.pool.query('SELECT metric, value, dataset_from FROM bi_model_metrics ORDER BY metric');
    expect(metrics).toEqual([
      { metric: 'auc', value: 0.71, dataset_from: new Date(T0) },
      { metric: 'logloss', value: 0.4, dataset_from: new Date(T0) },
    ]);
  });
});
