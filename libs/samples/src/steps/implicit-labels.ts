import { CONVERSIONS } from '../options.js';
import { at, type BuildContext } from './context.js';

/** Draws per positive, as a multiple of the ratio: draws that hit a seen item or repeat are dropped. */
const OVERSAMPLE = 3;
/** At least this many sampler slots, so popularity weights are resolved finely even for small catalogues. */
const MIN_POOL_SLOTS = 65_536;

/**
 * Writes s_labels from implicit feedback: each user's first interaction with
 * an item in the range (of the configured types; ratings from minRating) is
 * a positive, and negativesPerPositive items are drawn for it at the same
 * time and context. A negative is never an item the user has interacted with
 * at any time (every event type but exposure), nor an item the log had not
 * seen before the positive's time: the user could not have chosen it then,
 * and it would have no features to learn from.
 */
export async function implicitLabels(ctx: BuildContext): Promise<{ negativesShort: number }> {
  const { client, range, config } = ctx;
  await client.query(
    `CREATE TEMP TABLE s_positives ON COMMIT DROP AS
     SELECT DISTINCT ON (user_id, item_id) user_id, item_id, event_time AS label_time, request_id, context, type,
            coalesce((payload->>'dwell_ms')::int, 0) AS dwell_ms
       FROM event_log
      WHERE type = ANY($3::text[]) AND event_time >= ${at('$1')} AND event_time < ${at('$2')}
        AND (type <> 'rating' OR (payload->>'rating')::float8 >= $4)
      ORDER BY user_id, item_id, event_time, event_id`,
    [range.from, range.to, config.implicitTypes, config.minRating],
  );
  await client.query(
    `CREATE TEMP TABLE s_seen ON COMMIT DROP AS
     SELECT DISTINCT user_id, item_id FROM event_log
      WHERE type <> 'exposure' AND user_id IN (SELECT user_id FROM s_positives)`,
  );
  await client.query('ANALYZE s_positives; ANALYZE s_seen');
  const slots = await negativePool(ctx);
  await client.query(
    `CREATE TEMP TABLE s_negatives ON COMMIT DROP AS
     SELECT user_id, item_id, positive_item FROM (
       SELECT d.user_id, pool.item_id, d.positive_item,
              row_number() OVER (PARTITION BY d.user_id, d.positive_item ORDER BY min(d.draw)) AS n
         FROM (SELECT p.user_id, p.item_id AS positive_item, p.label_time, draw,
                      (hashtextextended(p.user_id || ':' || p.item_id || ':' || draw, $1) & 9223372036854775807) % $2 AS slot
                 FROM s_positives p, generate_series(1, $3::int) AS draw) d
         JOIN s_pool pool USING (slot)
        WHERE pool.first_seen < d.label_time
          AND NOT EXISTS (SELECT 1 FROM s_seen s WHERE s.user_id = d.user_id AND s.item_id = pool.item_id)
        GROUP BY d.user_id, d.positive_item, pool.item_id
     ) drawn WHERE n <= $4`,
    [config.seed, slots, config.negativesPerPositive * OVERSAMPLE, config.negativesPerPositive],
  );
  await client.query(
    `CREATE TEMP TABLE s_labels ON COMMIT DROP AS
     SELECT user_id, item_id, label_time, request_id, context, type = 'click' AS clicked, type = ANY($1::text[]) AS converted,
            dwell_ms, 1::real AS label, false AS sampled_negative
       FROM s_positives
     UNION ALL
     SELECT n.user_id, n.item_id, p.label_time, NULL, p.context, false, false, 0, 0::real, true
       FROM s_negatives n JOIN s_positives p ON p.user_id = n.user_id AND p.item_id = n.positive_item`,
    [CONVERSIONS],
  );
  const { rows } = await client.query<{ short: string }>(
    'SELECT ((SELECT count(*) FROM s_positives) * $1::int - (SELECT count(*) FROM s_negatives))::text AS short',
    [config.negativesPerPositive],
  );
  return { negativesShort: Number(rows[0]!.short) };
}

/**
 * s_pool(slot, item_id, first_seen): the sampler's lookup table. Each item owns a run of
 * slots proportional to its weight (1 for uniform; (interactions + 1) ^
 * exponent for popularity, the +1 so items only ever shown can be drawn), so
 * a uniform slot draw is a weighted item draw joined by equality, not a range
 * search. Returns the slot count.
 */
async function negativePool({ client, range, config }: BuildContext): Promise<number> {
  await client.query(
    `CREATE TEMP TABLE s_pool ON COMMIT DROP AS
     WITH items AS (
       SELECT item_id, min(event_time) AS first_seen,
              CASE WHEN $2 = 'uniform' THEN 1 ELSE power(count(*) FILTER (WHERE type <> 'exposure') + 1, $3) END AS weight
         FROM event_log WHERE event_time < ${at('$1')} GROUP BY item_id
     ), running AS (
       SELECT item_id, first_seen, sum(weight) OVER (ORDER BY item_id ROWS UNBOUNDED PRECEDING) AS hi, sum(weight) OVER () AS total,
              greatest($4::int, 16 * count(*) OVER ()) AS slots
         FROM items
     ), cumulative AS (
       -- lo is the previous item's hi itself, so the runs of slots neither overlap nor leave gaps.
       SELECT item_id, first_seen, coalesce(lag(hi) OVER (ORDER BY item_id), 0) AS lo, hi, total, slots FROM running
     )
     SELECT slot::bigint AS slot, item_id, first_seen FROM cumulative,
            generate_series(ceil(lo / total * slots - 0.5)::int, ceil(hi / total * slots - 0.5)::int - 1) AS slot`,
    [range.to, config.negativeStrategy, config.popularityExponent, MIN_POOL_SLOTS],
  );
  await client.query('ANALYZE s_pool');
  const { rows } = await client.query<{ slots: string }>('SELECT count(*)::text AS slots FROM s_pool');
  return Number(rows[0]!.slots);
}
