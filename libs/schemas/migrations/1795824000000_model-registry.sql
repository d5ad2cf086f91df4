-- Up Migration

-- Every trained or online-updated model version, self-describing: the artifact
-- bytes (config, dense weights, sparse tables, id maps) are stored in chunks
-- so any host can load a version without shared disk.
CREATE TABLE model_versions (
  version_id      bigserial PRIMARY KEY,
  role            text        NOT NULL CHECK (role IN ('recall', 'ranking')),
  model_type      text        NOT NULL,
  dataset_version text,
  parent_version  bigint      REFERENCES model_versions (version_id),
  code_version    text,
  backend         text,
  -- Offline metrics on the version's test set, e.g. {"hr_at_10": 0.61}.
  metrics         jsonb       NOT NULL DEFAULT '{}',
  -- Hyperparameters and training settings.
  config          jsonb       NOT NULL DEFAULT '{}',
  -- Where the version came from, e.g. Kafka offsets an online update covered.
  lineage         jsonb       NOT NULL DEFAULT '{}',
  artifact_bytes  bigint      NOT NULL,
  artifact_sha256 text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX model_versions_role_created ON model_versions (role, created_at DESC);

CREATE TABLE model_artifact_chunks (
  version_id bigint NOT NULL REFERENCES model_versions (version_id) ON DELETE CASCADE,
  seq        int    NOT NULL,
  data       bytea  NOT NULL,
  PRIMARY KEY (version_id, seq)
);

-- The version serving uses for each role. Changed only through promotions.
CREATE TABLE model_production (
  role        text        PRIMARY KEY,
  version_id  bigint      NOT NULL REFERENCES model_versions (version_id),
  promoted_at timestamptz NOT NULL DEFAULT now()
);

-- Every promotion-gate decision with the numbers it was based on.
CREATE TABLE model_promotions (
  decision_id       bigserial   PRIMARY KEY,
  role              text        NOT NULL,
  candidate_version bigint      NOT NULL REFERENCES model_versions (version_id),
  incumbent_version bigint      REFERENCES model_versions (version_id),
  metric            text        NOT NULL,
  candidate_value   double precision,
  incumbent_value   double precision,
  margin            double precision NOT NULL,
  promoted          boolean     NOT NULL,
  reason            text        NOT NULL,
  decided_at        timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE model_promotions;
DROP TABLE model_production;
DROP TABLE model_artifact_chunks;
DROP TABLE model_versions;
