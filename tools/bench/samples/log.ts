import type pg from 'pg';

/** The generated log's shape; exposures = requests x listSize. */
export interface BenchLog {
  users: number;
  items: number;
  requests: number;
  listSize: number;
  days: number;
  /** Epoch ms of the first request. */
  start: number;
  clickRate: number;
}

const DAY_MS = 86_400_000;

/**
 * Fills event_log and feature_history of a throwaway database straight from
 * generate_series SQL (no Kafka, no Node row loop): requests whose items are
 * served at one time (skewed popularity, power 3), clicks, views with dwell
 * and purchases after some exposures, and history as the feature builder
 * writes it: user activity at each request, item stats hourly, catalogue and
 * profile rows before the period (the behaviour sequence is read from the
 * event log, as the feature views declare). Seeded, so each run builds the same log.
 */
export async function generateLog(client: pg.PoolClient, log: BenchLog): Promise<{ exposures: number; events: number; historyRows: number }> {
  const span = log.days * DAY_MS;
  await client.query('SELECT setseed(0.42)');
  await client.query(
    `CREATE TEMP TABLE bench_requests AS
     SELECT r, 'u' || floor(power(random(), 2) * $1)::int AS user_id,
            to_timestamp(($3::float8 + r * $4::float8 / $2) / 1000) AS t
       FROM generate_series(1, $2::int) r`,
    [log.users, log.requests, log.start, span],
  );
  await client.query(
    `CREATE TEMP TABLE bench_exposures AS
     SELECT r, p, user_id, t, 'i' || floor(power(random(), 3) * $1)::int AS item_id, random() < $2 AS clicked, random() AS u
       FROM bench_requests, generate_series(0, $3::int - 1) p`,
    [log.items, log.clickRate, log.listSize],
  );
  await client.query(
    `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, context, payload)
     SELECT t, 'x' || r || '-' || p, 'exposure', user_id, item_id, 'r' || r,
            jsonb_build_object('surface', CASE WHEN r % 3 = 0 THEN 'detail' ELSE 'home' END, 'position', p, 'device', 'mobile'), '{}'::jsonb
       FROM bench_exposures
     UNION ALL
     SELECT t + interval '5 seconds' + p * interval '1 second', 'c' || r || '-' || p, 'click', user_id, item_id, 'r' || r, '{}'::jsonb, '{}'::jsonb
       FROM bench_exposures WHERE clicked
     UNION ALL
     SELECT t + interval '6 seconds' + p * interval '1 second', 'v' || r || '-' || p, 'view', user_id, item_id, 'r' || r, '{}'::jsonb,
            jsonb_build_object('dwell_ms', floor(u * 60000)::int)
       FROM bench_exposures WHERE clicked
     UNION ALL
     SELECT t + interval '9 seconds' + p * interval '1 second', 'p' || r || '-' || p, 'purchase', user_id, item_id, 'r' || r, '{}'::jsonb, '{}'::jsonb
       FROM bench_exposures WHERE clicked AND u < 0.1`,
  );
  const sums = (n: string) => `jsonb_build_object('1h', ${n}, '24h', ${n} * 4, '7d', ${n} * 20)`;
  await client.query(
    `INSERT INTO feature_history (feature_view, entity_id, event_time, "values")
     SELECT 'user_activity', user_id, t,
            jsonb_build_object('counts', jsonb_build_object('exposure', ${sums('r % 7')}, 'click', ${sums('r % 2')}, 'view', ${sums('r % 2')}),
                               'category_counts', jsonb_build_object('c' || r % 20, ${sums('1')}), 'last_active_ms', r)
       FROM bench_requests
     ON CONFLICT DO NOTHING`,
  );
  await client.query(
    `INSERT INTO feature_history (feature_view, entity_id, event_time, "values")
     SELECT 'item_stats', item_id, date_trunc('hour', t) + interval '59 minutes',
            jsonb_build_object('impressions', ${sums('count(*)')}, 'clicks', ${sums('count(*) FILTER (WHERE clicked)')},
                               'conversions', ${sums('0')}, 'ctr_24h', avg(clicked::int), 'ctr_7d', avg(clicked::int), 'trend', 1)
       FROM bench_exposures GROUP BY item_id, date_trunc('hour', t)`,
  );
  await client.query(
    `INSERT INTO feature_history (feature_view, entity_id, event_time, "values")
     SELECT 'item_attributes', 'i' || i, to_timestamp($2::float8 / 1000) - interval '1 day',
            jsonb_build_object('categories', jsonb_build_array('c' || i % 20), 'tags', '[]'::jsonb, 'available', true, 'created_time', null)
       FROM generate_series(0, $1::int - 1) i
     UNION ALL
     SELECT 'user_profile', 'u' || u, to_timestamp($2::float8 / 1000) - interval '1 day', jsonb_build_object('attributes', jsonb_build_object('country', 'DE'))
       FROM generate_series(0, $3::int - 1) u`,
    [log.items, log.start, log.users],
  );
  await client.query('ANALYZE event_log; ANALYZE feature_history');
  const { rows } = await client.query(
    `SELECT (SELECT count(*) FROM event_log WHERE type = 'exposure')::float8 AS exposures, (SELECT count(*) FROM event_log)::float8 AS events,
            (SELECT count(*) FROM feature_history)::float8 AS history_rows`,
  );
  await client.query('DROP TABLE bench_exposures, bench_requests');
  return { exposures: rows[0].exposures, events: rows[0].events, historyRows: rows[0].history_rows };
}
