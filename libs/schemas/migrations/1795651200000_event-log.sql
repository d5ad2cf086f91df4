-- Up Migration

-- The raw event log: every accepted interaction, once, partitioned by month of
-- event time for BI scans and retention. (event_time, event_id) is the key
-- because a partitioned table's key must hold the partition column; an
-- event's time never changes, so the key is unique per event_id.
CREATE TABLE event_log (
  event_time  timestamptz NOT NULL,
  event_id    text        NOT NULL,
  type        text        NOT NULL,
  user_id     text        NOT NULL,
  item_id     text        NOT NULL,
  request_id  text,
  experiment  text,
  variant     text,
  context     jsonb       NOT NULL DEFAULT '{}',
  payload     jsonb       NOT NULL,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_time, event_id)
) PARTITION BY RANGE (event_time);

-- Catches events outside the monthly partitions that writers create ahead.
CREATE TABLE event_log_default PARTITION OF event_log DEFAULT;

CREATE INDEX event_log_user_time ON event_log (user_id, event_time);
CREATE INDEX event_log_request ON event_log (request_id) WHERE request_id IS NOT NULL;

-- Down Migration
DROP TABLE event_log;
