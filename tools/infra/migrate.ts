/** `npm run db:migrate`: applies pending Postgres migrations to DATABASE_URL. */
import { migrateDatabase } from '@recstream/schemas/migrate';
import { infraSettings } from './settings.js';

const { DATABASE_URL } = infraSettings();
try {
  const applied = await migrateDatabase({ databaseUrl: DATABASE_URL, log: (line) => console.log(line) });
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} catch (error) {
  console.error(`db:migrate failed: ${(error as Error).message}. Is Postgres up? Run npm run infra:up.`);
  process.exitCode = 1;
}
