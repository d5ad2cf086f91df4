-- Up Migration

-- Serving buckets users, and one user's exposures are correlated, so an A/B
-- read-out takes the user as its unit: CTR is sum(clicks_u) / sum(exposures_u)
-- and its interval comes from the delta method over users (ratioInterval in
-- libs/platform), which needs only the per-variant sums of squares and
-- products below. The Wilson columns these views had treated exposures as
-- independent, which made their intervals too narrow.
DROP VIEW experiment_variant_metrics;
DROP MATERIALIZED VIEW bi_experiment_outcomes;

-- One row per experiment, variant and exposed user. An exposure counts as
-- clicked (converted) when a click (purchase) with its request_id and item
-- exists; exposures without a request_id cannot be joined and are left out.
CREATE VIEW experiment_user_outcomes AS
SELECT x.experiment, coalesce(x.variant, '(none)') AS variant, x.user_id,
       count(*) AS exposures,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM event_log o WHERE o.request_id = x.request_id AND o.item_id = x.item_id AND o.type = 'click')) AS clicks,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM event_log o WHERE o.request_id = x.request_id AND o.item_id = x.item_id AND o.type = 'purchase')) AS conversions,
       min(x.event_time) AS first_exposure, max(x.event_time) AS last_exposure
  FROM event_log x
 WHERE x.type = 'exposure' AND x.experiment IS NOT NULL AND x.request_id IS NOT NULL
 GROUP BY 1, 2, 3;

-- Per experiment and variant: users, exposures, clicks, conversions and their
-- rates, with the per-user moments of (exposures, clicks) for the interval:
-- exposures_sq = sum(exposures_u^2), clicks_sq = sum(clicks_u^2),
-- clicks_exposures = sum(clicks_u * exposures_u).
CREATE VIEW experiment_variant_metrics AS
SELECT experiment, variant, count(*) AS users,
       sum(exposures)::bigint AS exposures, sum(clicks)::bigint AS clicks, sum(conversions)::bigint AS conversions,
       sum(clicks)::float8 / sum(exposures) AS ctr, sum(conversions)::float8 / sum(exposures) AS conversion_rate,
       sum(exposures * exposures)::bigint AS exposures_sq, sum(clicks * clicks)::bigint AS clicks_sq,
       sum(clicks * exposures)::bigint AS clicks_exposures,
       min(first_exposure) AS first_exposure, max(last_exposure) AS last_exposure
  FROM experiment_user_outcomes
 GROUP BY experiment, variant;

-- The same figures for BI, materialized (see 1795996800000_bi-views.sql).
CREATE MATERIALIZED VIEW bi_experiment_outcomes AS SELECT * FROM experiment_variant_metrics;
CREATE UNIQUE INDEX bi_experiment_outcomes_key ON bi_experiment_outcomes (experiment, variant);

-- Down Migration
DROP MATERIALIZED VIEW bi_experiment_outcomes;
DROP VIEW experiment_variant_metrics;
DROP VIEW experiment_user_outcomes;

CREATE VIEW experiment_variant_metrics AS
WITH exposures AS (
  SELECT experiment, variant, count(*) AS exposures, count(DISTINCT user_id) AS users
    FROM event_log
   WHERE type = 'exposure' AND experiment IS NOT NULL
   GROUP BY experiment, variant
), clicks AS (
  SELECT e.experiment, e.variant, count(DISTINCT (c.request_id, c.item_id)) AS clicks
    FROM event_log c
    JOIN event_log e ON e.request_id = c.request_id AND e.item_id = c.item_id AND e.type = 'exposure'
   WHERE c.type = 'click' AND c.request_id IS NOT NULL AND e.experiment IS NOT NULL
   GROUP BY e.experiment, e.variant
), rates AS (
  SELECT x.experiment, x.variant, x.exposures, x.users, coalesce(c.clicks, 0) AS clicks,
         coalesce(c.clicks, 0)::float8 / x.exposures AS ctr, 1.959964::float8 AS z
    FROM exposures x
    LEFT JOIN clicks c USING (experiment, variant)
)
SELECT experiment, variant, exposures, users, clicks, ctr,
       (ctr + z * z / (2 * exposures) - z * sqrt(ctr * (1 - ctr) / exposures + z * z / (4.0 * exposures * exposures)))
         / (1 + z * z / exposures) AS ctr_ci_low,
       (ctr + z * z / (2 * exposures) + z * sqrt(ctr * (1 - ctr) / exposures + z * z / (4.0 * exposures * exposures)))
         / (1 + z * z / exposures) AS ctr_ci_high
  FROM rates;

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
