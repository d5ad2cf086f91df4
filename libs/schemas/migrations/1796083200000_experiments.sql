-- Up Migration

-- Online A/B tests. Serving buckets each user deterministically by a hash of
-- (experiment_id, user_id) into the variants' traffic shares, which must sum
-- to 1 per experiment. A variant pins model versions (NULL: production) and
-- may override re-ranking settings in `strategy`, e.g. {"diversity": 0.5}.
CREATE TABLE experiments (
  experiment_id text        PRIMARY KEY,
  description   text        NOT NULL DEFAULT '',
  -- The surface the experiment runs on; NULL: every surface.
  surface       text,
  active        boolean     NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE experiment_variants (
  experiment_id   text             NOT NULL REFERENCES experiments (experiment_id) ON DELETE CASCADE,
  variant         text             NOT NULL,
  share           double precision NOT NULL CHECK (share > 0 AND share <= 1),
  recall_version  bigint           REFERENCES model_versions (version_id),
  ranking_version bigint           REFERENCES model_versions (version_id),
  strategy        jsonb            NOT NULL DEFAULT '{}',
  PRIMARY KEY (experiment_id, variant)
);

-- Per experiment and variant: exposures (served items), the users exposed,
-- clicks on served items (joined back by request_id and item_id, so clients
-- need only echo the request_id), CTR and its 95% Wilson score interval.
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

-- Down Migration
DROP VIEW experiment_variant_metrics;
DROP TABLE experiment_variants;
DROP TABLE experiments;
