-- Up Migration

-- BI over the offline tier. The views over event_log are materialized (a
-- scan of the whole log is too slow per dashboard query) and refreshed by the
-- sample generator after each scheduled run, CONCURRENTLY, which is why each
-- has a unique index. The views over the small manifest and registry tables
-- are plain views. Days are UTC. See docs/bi.md for example queries.

CREATE MATERIALIZED VIEW bi_daily_active_users AS
SELECT (event_time AT TIME ZONE 'UTC')::date AS day,
       count(DISTINCT user_id) AS active_users,
       count(DISTINCT user_id) FILTER (WHERE type <> 'exposure') AS interacting_users
  FROM event_log
 GROUP BY 1;
CREATE UNIQUE INDEX bi_daily_active_users_key ON bi_daily_active_users (day);

-- Events by their own context; position -1 and surface '(none)' where the event had none.
CREATE MATERIALIZED VIEW bi_daily_events AS
SELECT day, surface, position, events, exposures, clicks, conversions,
       clicks::double precision / nullif(exposures, 0) AS ctr
  FROM (SELECT (event_time AT TIME ZONE 'UTC')::date AS day,
               coalesce(context->>'surface', '(none)') AS surface,
               coalesce((context->>'position')::int, -1) AS position,
               count(*) AS events,
               count(*) FILTER (WHERE type = 'exposure') AS exposures,
               count(*) FILTER (WHERE type = 'click') AS clicks,
               count(*) FILTER (WHERE type = 'purchase') AS conversions
          FROM event_log
         GROUP BY 1, 2, 3) counted;
CREATE UNIQUE INDEX bi_daily_events_key ON bi_daily_events (day, surface, position);

-- Per day: how much of the catalogue known so far was shown and clicked, and
-- how concentrated exposures were (Gini over exposed items; share of
-- exposures taken by the top 1% of exposed items).
CREATE MATERIALIZED VIEW bi_item_coverage AS
WITH per_item AS (
  SELECT (event_time AT TIME ZONE 'UTC')::date AS day, item_id,
         count(*) FILTER (WHERE type = 'exposure') AS exposures,
         count(*) FILTER (WHERE type = 'click') AS clicks
    FROM event_log GROUP BY 1, 2
), catalogue AS (
  SELECT day, sum(count(*)) OVER (ORDER BY day) AS known_items
    FROM (SELECT item_id, min(day) AS day FROM per_item GROUP BY item_id) first_seen GROUP BY day
), ranked AS (
  SELECT day, exposures,
         row_number() OVER (PARTITION BY day ORDER BY exposures) AS ascending,
         row_number() OVER (PARTITION BY day ORDER BY exposures DESC) AS descending,
         count(*) OVER (PARTITION BY day) AS n,
         sum(exposures) OVER (PARTITION BY day) AS total
    FROM per_item WHERE exposures > 0
), concentration AS (
  SELECT day,
         2 * sum(ascending * exposures)::double precision / (max(n) * max(total)) - (max(n) + 1)::double precision / max(n) AS exposure_gini,
         sum(exposures) FILTER (WHERE descending <= ceil(n * 0.01))::double precision / max(total) AS top_1pct_exposure_share
    FROM ranked GROUP BY day
)
SELECT d.day,
       (SELECT known_items FROM catalogue c WHERE c.day <= d.day ORDER BY c.day DESC LIMIT 1)::bigint AS known_items,
       d.items_exposed, d.items_clicked,
       d.items_exposed::double precision / nullif((SELECT known_items FROM catalogue c WHERE c.day <= d.day ORDER BY c.day DESC LIMIT 1), 0) AS exposure_coverage,
       k.exposure_gini, k.top_1pct_exposure_share
  FROM (SELECT day, count(*) FILTER (WHERE exposures > 0) AS items_exposed, count(*) FILTER (WHERE clicks > 0) AS items_clicked
          FROM per_item GROUP BY day) d
  LEFT JOIN concentration k USING (day);
CREATE UNIQUE INDEX bi_item_coverage_key ON bi_item_coverage (day);

-- Per experiment variant: exposures carry the variant; an exposure counts as
-- clicked (converted) when a click (purchase) with its request_id and item
-- exists. CTR's 95% interval is Wilson's, over exposures as if independent
-- (they cluster by user, so it is optimistic; compare users too).
CREATE MATERIALIZED VIEW bi_experiment_outcomes AS
WITH exposures AS (
  SELECT x.experiment, x.variant, x.user_id, x.event_time,
         EXISTS (SELECT 1 FROM event_log o WHERE o.request_id = x.request_id AND o.item_id = x.item_id AND o.type = 'click') AS clicked,
         EXISTS (SELECT 1 FROM event_log o WHERE o.request_id = x.request_id AND o.item_id = x.item_id AND o.type = 'purchase') AS converted
    FROM event_log x
   WHERE x.type = 'exposure' AND x.experiment IS NOT NULL AND x.request_id IS NOT NULL
), counted AS (
  SELECT experiment, coalesce(variant, '(none)') AS variant, count(DISTINCT user_id) AS users, count(*) AS exposures,
         count(*) FILTER (WHERE clicked) AS clicks, count(*) FILTER (WHERE converted) AS conversions,
         min(event_time) AS first_exposure, max(event_time) AS last_exposure
    FROM exposures GROUP BY 1, 2
), rated AS (
  SELECT *, clicks::double precision / exposures AS ctr, 1.96::double precision AS z FROM counted
)
SELECT experiment, variant, users, exposures, clicks, conversions, ctr,
       conversions::double precision / exposures AS conversion_rate,
       (ctr + z * z / (2 * exposures) - z * sqrt(ctr * (1 - ctr) / exposures + z * z / (4.0 * exposures * exposures))) / (1 + z * z / exposures) AS ctr_ci_low,
       (ctr + z * z / (2 * exposures) + z * sqrt(ctr * (1 - ctr) / exposures + z * z / (4.0 * exposures * exposures))) / (1 + z * z / exposures) AS ctr_ci_high,
       first_exposure, last_exposure
  FROM rated;
CREATE UNIQUE INDEX bi_experiment_outcomes_key ON bi_experiment_outcomes (experiment, variant);

CREATE VIEW bi_dataset_manifests AS
SELECT dataset_version, status, label_source, range_from, range_to, sample_count, positive_count, label_rate,
       (split_counts->>'train')::bigint AS train_samples,
       (split_counts->>'validation')::bigint AS validation_samples,
       (split_counts->>'test')::bigint AS test_samples,
       (split_counts->>'holdout_test')::bigint AS holdout_users,
       (SELECT min(value::double precision) FROM jsonb_each_text(feature_coverage)) AS min_feature_coverage,
       feature_coverage, (stats->>'users')::bigint AS users, (stats->>'items')::bigint AS items,
       created_at, completed_at, build_ms, error, config
  FROM dataset_manifests;

-- One row per model version and numeric offline metric, for metric-over-time charts.
CREATE VIEW bi_model_metrics AS
SELECT v.version_id, v.role, v.model_type, v.dataset_version, v.created_at, m.key AS metric, (m.value #>> '{}')::double precision AS value,
       p.version_id IS NOT NULL AS in_production, d.range_from AS dataset_from, d.range_to AS dataset_to
  FROM model_versions v
  CROSS JOIN LATERAL jsonb_each(v.metrics) m
  LEFT JOIN model_production p ON p.version_id = v.version_id
  LEFT JOIN dataset_manifests d ON d.dataset_version = v.dataset_version
 WHERE jsonb_typeof(m.value) = 'number';

-- Down Migration
DROP VIEW bi_model_metrics;
DROP VIEW bi_dataset_manifests;
DROP MATERIALIZED VIEW bi_experiment_outcomes;
DROP MATERIALIZED VIEW bi_item_coverage;
DROP MATERIALIZED VIEW bi_daily_events;
DROP MATERIALIZED VIEW bi_daily_active_users;
