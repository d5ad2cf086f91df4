-- Up Migration

-- Feature history: one row per (feature view, entity, event time) holding the
-- view's values as of that event time. The sample generator joins it
-- point-in-time with ROW_NUMBER() OVER (PARTITION BY feature_view, entity_id
-- ORDER BY event_time DESC, created_time DESC), keeping rows whose event_time
-- is <= the label's time and within the view's TTL. Partitioned by month of
-- event time like event_log, so old history is dropped a partition at a time.
CREATE TABLE feature_history (
  feature_view text        NOT NULL,
  entity_id    text        NOT NULL,
  event_time   timestamptz NOT NULL,
  created_time timestamptz NOT NULL DEFAULT now(),
  "values"     jsonb       NOT NULL,
  PRIMARY KEY (feature_view, entity_id, event_time)
) PARTITION BY RANGE (event_time);

CREATE TABLE feature_history_default PARTITION OF feature_history DEFAULT;

-- Per Kafka partition, the last offset whose events are in event_log and
-- feature_history, written in the same transaction as those rows. A rebuild
-- of the online store from Postgres restores these as the online store's
-- watermarks, so the consumers resume exactly after what the rebuild covers.
CREATE TABLE feature_offsets (
  namespace   text        NOT NULL,
  topic       text        NOT NULL,
  "partition" integer     NOT NULL,
  "offset"    bigint      NOT NULL,
  stream_time timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, topic, "partition")
);

-- Down Migration
DROP TABLE feature_offsets;
DROP TABLE feature_history;
