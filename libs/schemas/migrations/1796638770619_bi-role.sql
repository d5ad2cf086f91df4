-- Up Migration

-- recstream_bi: the role analysts and BI tools (Metabase, Superset, Grafana)
-- use. It may read the BI views (docs/bi.md) and nothing else: no base table,
-- so no raw event with its user id, no API-key hash, no erasure record, no
-- model artifact. Personal data reaches it only aggregated; that is why
-- experiment_user_outcomes (one row per user id) is not granted. Views run
-- with their owner's rights, so SELECT on a view needs nothing on the tables
-- under it.
--
-- A BI view created later must be granted in the migration that creates it
-- (GRANT SELECT ON bi_x TO recstream_bi), and so must a granted view that a
-- migration drops and creates again: DROP takes its grants with it. The
-- schemas BI role test fails on any bi_* relation the role cannot read.
--
-- Roles are cluster-wide and every database (tests run one per file, in
-- parallel) runs this, so the role is created only when missing, and a
-- concurrent creation elsewhere is not an error. It is a LOGIN role without
-- a password: with password authentication nobody can log in as it until a
-- deployment sets one (ALTER ROLE recstream_bi PASSWORD '...'); with the dev
-- setup's trust authentication it connects as is. Its transactions are
-- read-only by default as well. Running this needs CREATEROLE.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'recstream_bi') THEN
    BEGIN
      CREATE ROLE recstream_bi LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
      ALTER ROLE recstream_bi SET default_transaction_read_only = on;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database's migration created it meanwhile
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO recstream_bi', current_database());
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO recstream_bi', current_schema());
END
$$;

GRANT SELECT ON
  bi_daily_active_users,
  bi_daily_events,
  bi_item_coverage,
  bi_experiment_outcomes,
  bi_dataset_manifests,
  bi_model_metrics,
  experiment_variant_metrics
TO recstream_bi;

-- Down Migration
-- Revokes this database's grants; drops the role only when no other database
-- still grants it anything (it is cluster-wide).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'recstream_bi') THEN
    REVOKE ALL ON
      bi_daily_active_users,
      bi_daily_events,
      bi_item_coverage,
      bi_experiment_outcomes,
      bi_dataset_manifests,
      bi_model_metrics,
      experiment_variant_metrics
    FROM recstream_bi;
    EXECUTE format('REVOKE ALL ON SCHEMA %I FROM recstream_bi', current_schema());
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM recstream_bi', current_database());
    BEGIN
      DROP ROLE recstream_bi;
    EXCEPTION WHEN dependent_objects_still_exist THEN
      RAISE NOTICE 'recstream_bi is still granted in another database; kept';
    END;
  END IF;
END
$$;
