-- Up Migration

-- Checkpoints of online updaters (apps/online-updater). A row is written in
-- the same transaction as the model versions it snapshots, so the versions,
-- the Kafka offsets they cover and the example builder's state (exposures
-- waiting for outcomes, the negative sampler's items, examples not yet
-- trained on) commit together: a restart resumes from the latest row and
-- replays exactly what came after it.
CREATE TABLE online_snapshots (
  snapshot_id     bigserial   PRIMARY KEY,
  -- The updater's name; one lineage of snapshots per name.
  updater         text        NOT NULL,
  recall_version  bigint      REFERENCES model_versions (version_id),
  ranking_version bigint      REFERENCES model_versions (version_id),
  topic           text        NOT NULL,
  -- Next offset to consume per partition, e.g. {"0": "1234"}.
  offsets         jsonb       NOT NULL,
  -- Examples trained on since the lineage began (all partitions).
  examples        bigint      NOT NULL,
  state           bytea       NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX online_snapshots_updater ON online_snapshots (updater, snapshot_id DESC);

-- Down Migration
DROP TABLE online_snapshots;
