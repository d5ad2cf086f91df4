-- Up Migration

-- Exposures serving could not deliver to Kafka (its exposure buffer was full
-- or the send failed) never reach event_log, so experiment_variant_metrics
-- cannot count them. Serving adds them up per experiment variant here
-- (DroppedExposureRecorder in libs/serving, every 10 s), and the console's
-- experiment read-out shows them next to the exposures that did arrive. A
-- variant with drops has an exposure count, and possibly a CTR, that is off.
CREATE TABLE experiment_exposures_dropped (
  experiment text NOT NULL,
  variant text NOT NULL,
  dropped bigint NOT NULL CHECK (dropped >= 0),
  first_dropped_at timestamptz NOT NULL DEFAULT now(),
  last_dropped_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (experiment, variant)
);

-- Down Migration
DROP TABLE experiment_exposures_dropped;
