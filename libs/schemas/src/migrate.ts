import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

/** The DDL for every table the platform owns, as ordered SQL migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations', import.meta.url));

export interface MigrateOptions {
  databaseUrl: string;
  /** Receives one line per migration applied. */
  log?: (line: string) => void;
}

/**
 * Applies pending migrations. Safe to run concurrently from several processes:
 * node-pg-migrate holds an advisory lock while it works.
 */
export async function migrateDatabase({ databaseUrl, log = () => {} }: MigrateOptions): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    log,
    logger: { debug: () => {}, info: log, warn: log, error: log },
  });
  return applied.map((migration) => migration.name);
}
