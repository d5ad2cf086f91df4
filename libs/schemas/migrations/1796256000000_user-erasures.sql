-- Up Migration

-- One row per user erasure (a data subject's request to be forgotten): who
-- asked for it, when, and how many rows and keys were removed where. The
-- trainer reads the erased user ids from here and drops their embedding
-- rows from every model snapshot it registers afterwards, so a model trained
-- while the erasure ran cannot bring the user back. `completed_at` is set
-- once the online store (Redis) was cleared too; NULL means that step has to
-- be run again.
CREATE TABLE user_erasures (
  erasure_id   bigserial   PRIMARY KEY,
  user_id      text        NOT NULL,
  requested_by text        NOT NULL,
  reason       text,
  -- Rows removed per table and keys removed from the online store, e.g. {"event_log": 12, "redis_keys": 1}.
  removed      jsonb       NOT NULL DEFAULT '{}',
  requested_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX user_erasures_user ON user_erasures (user_id);

-- Down Migration
DROP TABLE user_erasures;
