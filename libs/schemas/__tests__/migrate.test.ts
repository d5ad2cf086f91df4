import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { migrateDatabase } from '../src/migrate.js';

const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/recstream');
const database = `recstream_migrate_${randomUUID().slice(0, 8)}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
const admin = new pg.Client({ connectionString: Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString() });

afterAll(async () => {
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
});

it('applies every migration to an empty database once, and is a no-op the second time', async () => {
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const first = await migrateDatabase({ databaseUrl });
  expect(first.length).toBeGreaterThan(0);
  expect(await migrateDatabase({ databaseUrl })).toEqual([]);

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query(`SELECT relname FROM pg_class WHERE relname = 'event_log' AND relkind = 'p'`);
  await client.end();
  expect(rows).toHaveLength(1);
});
