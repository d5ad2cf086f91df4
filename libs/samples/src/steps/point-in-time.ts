import type { FeatureView } from '@recstream/features';

/**
 * Point-in-time join, step 1, for all history-backed views of one entity at
 * once, onto a key table `keys(label_id, entity_id, label_time)`: for each
 * key, per view (column time_<i>, in `views` order), the event time of the
 * entity's latest history row at or before label_time. Returns the SQL and
 * its parameters.
 *
 * Why not the per-label range join with ROW_NUMBER (features'
 * `pointInTimeSql`): that join emits every history row within the TTL for
 * every label before ranking, O(labels x rows per TTL), and an item's stats
 * get a history row per feature-builder batch; this gives identical results
 * far faster (docs/decisions/samples-sql.md, __tests__/as-of.test.ts). Here keys and the history rows
 * of all the entity's views are merged into one stream per entity, sorted
 * once by time (history first on ties, since a row at exactly label_time
 * counts), and a running max per view carries its latest history time
 * forward to each key: one sort of (labels + history) rows per entity. The
 * key table's `passed` columns come along with each key. The
 * sort compares ids bytewise (COLLATE "C"): any consistent order serves, and
 * it lets Postgres use abbreviated keys (docs/decisions/samples-sql.md).
 */
export function asOfTimesSql(keys: string, views: readonly FeatureView[], passed: readonly string[] = []): { sql: string; params: unknown[] } {
  const maxTtl = Math.max(...views.map((view) => view.ttlMs));
  const carried = views.map((_, i) => `max(t) FILTER (WHERE view = $${i + 3}) OVER w AS time_${i}`);
  const keyColumns = passed.map((column) => `, ${column}`).join('');
  const historyColumns = passed.map(() => ', NULL').join('');
  return {
    sql: `WITH bounds AS (
        SELECT min(label_time) - $1 * interval '1 millisecond' AS lo, max(label_time) AS hi FROM ${keys}
      ), merged AS (
        SELECT entity_id, label_time AS t, NULL::text AS view, label_id${keyColumns} FROM ${keys}
        UNION ALL
        SELECT h.entity_id, h.event_time, h.feature_view, NULL${historyColumns} FROM feature_history h, bounds b
         WHERE h.feature_view = ANY($2::text[]) AND h.event_time > b.lo AND h.event_time <= b.hi
           AND h.entity_id IN (SELECT entity_id FROM ${keys})
      ), carried AS (
        SELECT label_id, entity_id, t, view${keyColumns}, ${carried.join(', ')}
          FROM merged WINDOW w AS (PARTITION BY entity_id COLLATE "C" ORDER BY t, view IS NULL ROWS UNBOUNDED PRECEDING)
      )
      SELECT label_id, entity_id, t${keyColumns}, ${views.map((_, i) => `time_${i}`).join(', ')} FROM carried WHERE view IS NULL`,
    params: [maxTtl, views.map((view) => view.name), ...views.map((view) => view.name)],
  };
}

/**
 * Step 2, per view: the values of the history row step 1 found for each key
 * (`asOf` is its result, `index` the view's position there), fetched by the
 * history table's primary key (view, entity, event_time), which makes that
 * time unique per entity, so no created_time tie-break is needed. Keys whose
 * row is older than the view's TTL, or that have none, are absent.
 */
export function asOfValuesSql(asOf: string, index: number): string {
  return `SELECT a.label_id, h."values" FROM ${asOf} a
      JOIN feature_history h ON h.feature_view = $1 AND h.entity_id = a.entity_id AND h.event_time = a.time_${index}
     WHERE a.time_${index} > a.t - $2 * interval '1 millisecond'`;
}

export const asOfValuesParams = (view: FeatureView) => [view.name, view.ttlMs];

/**
 * Steps 1 and 2 in one, for an entity whose views are all history-backed,
 * so that a key's features are fixed by the history rows it reads: per key
 * of `keys(label_id, entity_id, label_time, sample_time, labels)`, its
 * `sample_time` and `labels`, the time of the row it reads per view
 * (time_<i>, NULL where none is within the view's TTL), `key`, one number
 * per distinct set of rows read, and `first`, true on one key of each set.
 * Keys reading the same rows then share one feature row.
 *
 * Along an entity's keys in time order each view's time only grows and,
 * for one time, only drops out of TTL once, so a set of rows read never
 * comes back after it changed: each set is one run of consecutive keys, so
 * numbering runs in time order replaces a dense_rank over the times and a
 * GROUP BY of the keys into sets (the first key of each run is its set).
 */
export function asOfReadsSql(keys: string, views: readonly FeatureView[]): { sql: string; params: unknown[] } {
  const asOf = asOfTimesSql(keys, views, ['sample_time', 'labels']);
  const ttl = (i: number) => `$${asOf.params.length + i + 1} * interval '1 millisecond'`;
  const times = views.map((_, i) => `time_${i}`);
  const previous = times.map((time) => `lag(${time}) OVER e`);
  return {
    sql: `SELECT entity_id, sample_time, labels, ${times.join(', ')}, first,
             sum(first::int) OVER (ORDER BY entity_id COLLATE "C", t ROWS UNBOUNDED PRECEDING) AS key
        FROM (SELECT entity_id, t, sample_time, labels, ${times.join(', ')},
                     lag(t) OVER e IS NULL OR (${times.join(', ')}) IS DISTINCT FROM (${previous.join(', ')}) AS first
                FROM (SELECT entity_id, t, sample_time, labels, ${views.map((_, i) => `CASE WHEN time_${i} > t - ${ttl(i)} THEN time_${i} END AS time_${i}`).join(', ')}
                        FROM (${asOf.sql}) a) reads
              WINDOW e AS (PARTITION BY entity_id COLLATE "C" ORDER BY t)) runs`,
    params: [...asOf.params, ...views.map((view) => view.ttlMs)],
  };
}
