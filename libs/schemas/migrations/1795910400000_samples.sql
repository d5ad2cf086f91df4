-- Up Migration

-- One row per dataset version the sample generator built (or is building):
-- what went in (range, generator config) and what came out (counts, label
-- rate, split sizes, per-view feature coverage). The trainer starts from a
-- `ready` version; BI reads these through bi_dataset_manifests.
CREATE TABLE dataset_manifests (
  dataset_version  text        PRIMARY KEY,
  status           text        NOT NULL CHECK (status IN ('building', 'ready', 'failed')),
  label_source     text        NOT NULL,
  range_from       timestamptz NOT NULL,
  range_to         timestamptz NOT NULL,
  sample_count     bigint      NOT NULL DEFAULT 0,
  positive_count   bigint      NOT NULL DEFAULT 0,
  label_rate       double precision,
  -- {"train": n, "validation": n, "test": n, "holdout_train": n, "holdout_test": n}
  split_counts     jsonb       NOT NULL DEFAULT '{}',
  -- Per feature view, the share of samples that found a value within TTL.
  feature_coverage jsonb       NOT NULL DEFAULT '{}',
  -- Users, items, first and last label time, negatives short of the ratio.
  stats            jsonb       NOT NULL DEFAULT '{}',
  config           jsonb       NOT NULL,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  build_ms         bigint
);
CREATE INDEX dataset_manifests_created ON dataset_manifests (created_at DESC);

-- Labelled training samples with point-in-time features, one LIST partition
-- per dataset version, so a version is attached whole when it is complete and
-- dropped whole when it is retired. sample_id orders a version by label time
-- and is the key readers page on.
CREATE TABLE samples (
  dataset_version  text        NOT NULL,
  sample_id        bigint      NOT NULL,
  user_id          text        NOT NULL,
  item_id          text        NOT NULL,
  label_time       timestamptz NOT NULL,
  label            real        NOT NULL,
  clicked          boolean     NOT NULL,
  converted        boolean     NOT NULL,
  dwell_ms         integer     NOT NULL,
  -- True for negatives drawn by the sampler (implicit data), false for observed rows.
  sampled_negative boolean     NOT NULL,
  request_id       text,
  context          jsonb       NOT NULL,
  -- The sample's rows in sample_features (entity 'user' and 'item'): the
  -- items of one served list share their user's features, and an item's
  -- samples that read the same history rows share its features, so they
  -- are stored once per key rather than once per sample.
  user_key         bigint      NOT NULL,
  item_key         bigint      NOT NULL,
  split            text        NOT NULL CHECK (split IN ('train', 'validation', 'test')),
  -- Leave-latest-out: 'test' for each user's latest positive, 'train' for
  -- that user's earlier samples, NULL for the rest.
  holdout          text        CHECK (holdout IN ('train', 'test')),
  PRIMARY KEY (dataset_version, sample_id)
) PARTITION BY LIST (dataset_version);

-- Point-in-time features of a dataset version, one row per key (a user and
-- label time; an item and the history rows it read): feature view name ->
-- values as of just before the label time (the view's defaults where no
-- value was within its TTL). Partitioned like samples.
CREATE TABLE sample_features (
  dataset_version text   NOT NULL,
  entity          text   NOT NULL CHECK (entity IN ('user', 'item')),
  key             bigint NOT NULL,
  features        jsonb  NOT NULL,
  PRIMARY KEY (dataset_version, entity, key)
) PARTITION BY LIST (dataset_version);

-- Down Migration
DROP TABLE sample_features;
DROP TABLE samples;
DROP TABLE dataset_manifests;
