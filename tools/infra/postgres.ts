import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { migrateDatabase } from '@recstream/schemas/migrate';
import { waitFor } from './probe.js';
import type { InfraSettings } from './settings.js';

const CLUSTER_ROOT = '/etc/postgresql';

async function ping(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  await client.end();
}

/** The server-level URL: same server, the always-present `postgres` database. */
function maintenanceUrl(databaseUrl: string): { url: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  url.pathname = '/postgres';
  return { url: url.toString(), database };
}

function localClusters(): string[] {
  try {
    return readdirSync(CLUSTER_ROOT).map((version) => `${version} main`);
  } catch {
    return [];
  }
}

/** Makes Postgres reachable, creates the database if needed and applies migrations. Returns true if it started the server. */
export async function ensurePostgres(settings: InfraSettings, say: (line: string) => void): Promise<boolean> {
  const { url, database } = maintenanceUrl(settings.DATABASE_URL);
  let started = false;
  try {
    await ping(url);
  } catch (error) {
    const clusters = localClusters();
    if (settings.userProvided.postgres || clusters.length === 0) {
      throw new Error(
        `Postgres is not reachable at ${settings.DATABASE_URL} (${(error as Error).message}). ` +
          (settings.userProvided.postgres
            ? 'Start that server or point DATABASE_URL at a running one.'
            : 'Install PostgreSQL (e.g. apt-get install postgresql) or set DATABASE_URL to a running server.'),
      );
    }
    const [version] = clusters[0]!.split(' ');
    say(`starting local Postgres cluster ${version}/main`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'start'], { stdio: 'inherit' });
    started = true;
    await waitFor('Postgres', () => ping(url), 30_000);
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
      say(`created database ${database}`);
    }
  } finally {
    await admin.end();
  }
  const applied = await migrateDatabase({ databaseUrl: settings.DATABASE_URL });
  say(`postgres ready (${applied.length} migrations applied)`);
  return started;
}

export function stopPostgres(say: (line: string) => void): void {
  for (const cluster of localClusters()) {
    const [version] = cluster.split(' ');
    say(`stopping local Postgres cluster ${version}/main`);
    execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version!, 'main', 'stop'], { stdio: 'inherit' });
  }
}
