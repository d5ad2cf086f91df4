import type { FeatureView } from '@recstream/features';

/**
 * Point-in-time join of one feature view onto a key table `keys(label_id,
 * entity_id, label_time)`: for each key, the view's values from the history
 * row of that entity with the latest event_time at or before label_time and
 * within the view's TTL; keys without one are absent. $1 is the view name,
 * $2 its TTL in ms.
 *
 * Why not the per-label range join with ROW_NUMBER (features'
 * `pointInTimeSql`): that join emits every history row within the TTL for
 * every label before ranking, O(labels x rows per TTL), and an item's stats
 * get a history row per feature-builder batch. Here keys and history rows are
 * merged into one stream per entity, sorted once by time (history first on
 * ties, since a row at exactly label_time counts), and a running max over the
 * window carries the latest history time forward to each key: one sort of
 * (labels + history) rows. The values are then fetched by the history
 * table's primary key (view, entity, event_time), which makes that time
 * unique per entity, so no created_time tie-break is needed.
 */
export function asOfJoinSql(keys: string): string {
  return `WITH bounds AS (
      SELECT min(label_time) - $2 * interval '1 millisecond' AS lo, max(label_time) AS hi FROM ${keys}
    ), merged AS (
      SELECT entity_id, label_time AS t, 0 AS src, label_id FROM ${keys}
      UNION ALL
      SELECT h.entity_id, h.event_time, 1, NULL FROM feature_history h, bounds b
       WHERE h.feature_view = $1 AND h.event_time > b.lo AND h.event_time <= b.hi
         AND h.entity_id IN (SELECT entity_id FROM ${keys})
    ), carried AS (
      SELECT label_id, entity_id, t, src,
             max(t) FILTER (WHERE src = 1) OVER (PARTITION BY entity_id ORDER BY t, src DESC ROWS UNBOUNDED PRECEDING) AS history_time
        FROM merged
    )
    SELECT c.label_id, h."values"
      FROM carried c
      JOIN feature_history h ON h.feature_view = $1 AND h.entity_id = c.entity_id AND h.event_time = c.history_time
     WHERE c.src = 0 AND c.history_time > c.t - $2 * interval '1 millisecond'`;
}

export const asOfParams = (view: FeatureView) => [view.name, view.ttlMs];
