/**
 * recstream_bi, the role BI users query with, reads the BI views and nothing
 * else: every base table (raw events with user ids, API-key hashes, erasure
 * records, model artifacts) and the per-user experiment view refuse it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

/** What docs/bi.md documents, and the migration grants. */
const BI_VIEWS = [
  'bi_daily_active_users',
  'bi_daily_events',
  'bi_item_coverage',
  'bi_experiment_outcomes',
  'bi_dataset_manifests',
  'bi_model_metrics',
  'experiment_variant_metrics',
];

const REFUSED = ['event_log', 'event_log_default', 'api_keys', 'model_artifact_chunks', 'model_versions', 'user_erasures', 'samples', 'feature_history', 'experiment_user_outcomes'];

let database: TestDatabase | undefined;
let owner: pg.Client;
/** Connected as recstream_bi itself, as a BI tool would be. */
let bi: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  bi = new pg.Client({ connectionString: Object.assign(new URL(database.url), { username: 'recstream_bi' }).toString() });
  await bi.connect();
});
afterAll(async () => {
  await bi?.end();
  await owner?.end();
  await database?.drop();
});

async function refusal(client: pg.Client, sql: string): Promise<string> {
  const error = await client.query(sql).then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; message?: string },
  );
  expect(error, sql).toBeDefined();
  return `${error!.code} ${error!.message}`;
}

describe('recstream_bi', () => {
  it('connects and reads every BI view', async () => {
    const { rows } = await bi.query<{ user: string }>('SELECT current_user AS user');
    expect(rows[0]!.user).toBe('recstream_bi');
    for (const view of BI_VIEWS) await expect(bi.query(`SELECT * FROM ${view} LIMIT 1`), view).resolves.toBeDefined();
  });

  it('is refused on base tables and on the per-user view (permission denied)', async () => {
    for (const table of REFUSED) {
      expect(await refusal(bi, `SELECT * FROM ${table} LIMIT 1`)).toMatch(/^42501 permission denied/);
    }
  });

  it('is refused the same way through SET ROLE on an owner connection', async () => {
    await owner.query('BEGIN');
    try {
      await owner.query('SET LOCAL ROLE recstream_bi');
      await owner.query('SELECT count(*) FROM bi_daily_events');
      expect(await refusal(owner, 'SELECT user_id FROM event_log LIMIT 1')).toMatch(/^42501 permission denied/);
    } finally {
      await owner.query('ROLLBACK');
    }
  });

  it('cannot write, refresh or create anything', async () => {
    expect(await refusal(bi, 'REFRESH MATERIALIZED VIEW bi_daily_events')).toMatch(/^(42501|25006) /);
    expect(await refusal(bi, 'CREATE TABLE bi_scratch (x int)')).toMatch(/^(42501|25006) /);
    expect(await refusal(bi, `INSERT INTO api_keys SELECT * FROM api_keys`)).toMatch(/^(42501|25006) /);
    // Read-only by default, and even without that, no right to create in the schema.
    await bi.query('BEGIN READ WRITE');
    try {
      expect(await refusal(bi, 'CREATE TABLE bi_scratch (x int)')).toMatch(/^42501 permission denied/);
    } finally {
      await bi.query('ROLLBACK');
    }
  });

  it('can read exactly the granted views: no other relation in the schema, and every bi_* one', async () => {
    // A bi_* view a later migration creates (or drops and creates again) without granting it fails here.
    const { rows } = await owner.query<{ relname: string }>(
      `SELECT c.relname FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND has_table_privilege('recstream_bi', c.oid, 'SELECT')
        ORDER BY c.relname`,
    );
    expect(rows.map((row) => row.relname)).toEqual([...BI_VIEWS].sort());
    const { rows: biViews } = await owner.query<{ relname: string }>(
      `SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('v', 'm') AND relname LIKE 'bi\\_%' ORDER BY relname`,
    );
    expect(biViews.map((row) => row.relname).every((name) => BI_VIEWS.includes(name))).toBe(true);
  });

  it('exposes no user id column in any granted view', async () => {
    const { rows } = await owner.query<{ relation: string; column: string }>(
      `SELECT table_name AS relation, column_name AS column FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY($1) AND column_name ILIKE '%user_id%'`,
      [BI_VIEWS],
    );
    expect(rows).toEqual([]);
  });
});

it('migrating a second database keeps the shared role, and rolling one back leaves it to the other', async () => {
  const second = await createTestDatabase();
  try {
    const { rows } = await owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'recstream_bi'`);
    expect(rows[0]!.n).toBe(1);
    // Roll the second database's role migration back: the role stays (this file's database still grants it).
    const { runner } = await import('node-pg-migrate');
    const { MIGRATIONS_DIR } = await import('../src/migrate.js');
    await runner({ databaseUrl: second.url, dir: MIGRATIONS_DIR, direction: 'down', count: 1, migrationsTable: 'pgmigrations', log: () => {}, logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} } });
    expect((await owner.query(`SELECT 1 FROM pg_roles WHERE rolname = 'recstream_bi'`)).rowCount).toBe(1);
    await expect(bi.query('SELECT count(*) FROM bi_daily_events')).resolves.toBeDefined();
    // Up again re-grants.
    await migrateDatabase({ databaseUrl: second.url });
  } finally {
    await second.drop();
  }
});
