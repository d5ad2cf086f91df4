-- Up Migration

-- API keys for the ingest, serving and admin endpoints. Only a SHA-256 of the
-- secret is kept: secrets are 32 random bytes, so a fast hash is enough and
-- lets every request be checked without a slow KDF.
CREATE TABLE api_keys (
  key_id         text        PRIMARY KEY,
  name           text        NOT NULL,
  scopes         text[]      NOT NULL,
  secret_sha256  bytea       NOT NULL,
  -- Requests per second allowed per server replica; NULL for the server default.
  rate_limit     integer     CHECK (rate_limit > 0),
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz
);

-- Down Migration
DROP TABLE api_keys;
