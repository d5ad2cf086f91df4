/**
 * A fresh, fully migrated Postgres database per test file, so tests neither
 * see nor disturb anybody else's rows. Drop it when done.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { migrateDatabase } from '../src/migrate.js';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/recstream', { migrate = true } = {}): Promise<TestDatabase> {
  const name = `recstream_test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = Object.assign(new URL(serverUrl), { pathname: '/postgres' }).toString();
  const url = Object.assign(new URL(serverUrl), { pathname: `/${name}` }).toString();
  await withClient(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  if (migrate) await migrateDatabase({ databaseUrl: url });
  return { url, drop: () => withClient(admin, (client) => dropWhenIdle(client, name)) };
}

/**
 * `pool.end()` resolves before its clients' sockets have closed; terminating
 * those backends at once makes them report an error on a pool that no longer
 * listens, which crashes the test process. So wait for them to leave first,
 * and force only what is still there after a few seconds.
 */
async function dropWhenIdle(client: pg.Client, name: string, waitMs = 5_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0]!.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
