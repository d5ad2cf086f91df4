import { CONVERSIONS } from '../options.js';
import { at, type BuildContext } from './context.js';

/**
 * Writes s_labels from exposures: every exposure in the range is a sample;
 * its outcomes are the click, conversion and view (dwell) events with the same
 * request_id and item at or after it and within the attribution window. The
 * outcome scan runs past the range end by the window, so exposures near the
 * end keep their outcomes. Outcomes are aggregated per exposure first (they
 * are few), then joined back, so the wide exposure rows are never grouped.
 */
export async function exposureLabels({ client, range, config }: BuildContext): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE s_labels ON COMMIT DROP AS
     WITH exposures AS (
       SELECT event_time, event_id, user_id, item_id, request_id, context FROM event_log
        WHERE type = 'exposure' AND event_time >= ${at('$1')} AND event_time < ${at('$2')}
     ), outcomes AS (
       SELECT x.event_time, x.event_id,
              bool_or(o.type = 'click') AS clicked,
              bool_or(o.type = ANY($4::text[])) AS converted,
              coalesce(max((o.payload->>'dwell_ms')::int) FILTER (WHERE o.type = 'view'), 0) AS dwell_ms
         FROM exposures x
         JOIN event_log o ON o.request_id = x.request_id AND o.item_id = x.item_id
          AND o.event_time >= x.event_time AND o.event_time <= x.event_time + $3 * interval '1 millisecond'
        WHERE o.type = ANY(array['click', 'view'] || $4::text[])
          AND o.event_time >= ${at('$1')} AND o.event_time < ${at('$2')} + $3 * interval '1 millisecond'
        GROUP BY x.event_time, x.event_id
     ), joined AS (
       SELECT x.user_id, x.item_id, x.event_time AS label_time, x.request_id, x.context,
              coalesce(o.clicked, false) AS clicked, coalesce(o.converted, false) AS converted, coalesce(o.dwell_ms, 0) AS dwell_ms
         FROM exposures x LEFT JOIN outcomes o USING (event_time, event_id)
     )
     SELECT user_id, item_id, label_time, request_id, context, clicked, converted, dwell_ms,
            (CASE $6 WHEN 'click' THEN clicked WHEN 'conversion' THEN converted ELSE dwell_ms >= $5 END)::int::real AS label,
            false AS sampled_negative
       FROM joined`,
    [range.from, range.to, config.attributionWindowMs, CONVERSIONS, config.minDwellMs, config.labelOutcome],
  );
}
