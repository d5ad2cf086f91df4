import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { migrateDatabase } from '../src/migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.js';

let database: TestDatabase | undefined;
afterAll(() => database?.drop());

it('applies every migration to an empty database once, and is a no-op the second time', async () => {
  database = await createTestDatabase(undefined, { migrate: false });
  const first = await migrateDatabase({ databaseUrl: database.url });
  expect(first.length).toBeGreaterThan(0);
  expect(await migrateDatabase({ databaseUrl: database.url })).toEqual([]);

  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query(`SELECT relname FROM pg_class WHERE relname IN ('event_log', 'model_versions') ORDER BY relname`);
  await client.end();
  expect(rows.map((row) => row.relname)).toEqual(['event_log', 'model_versions']);
});
