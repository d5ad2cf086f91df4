/**
 * Shared setup for the sample generator tests: a fresh migrated database per
 * test file, and writers that put events and feature history where the
 * feature builder would (through the offline store itself).
 */
import pg from 'pg';
import { OfflineStore, type HistoryRow } from '@recstream/features';
import { InteractionEvent, type InteractionEventInput } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';

export interface TestDb {
  pool: pg.Pool;
  url: string;
  close(): Promise<void>;
}

export async function openTestDb(): Promise<TestDb> {
  const database: TestDatabase = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  return { pool, url: database.url, close: async () => (await pool.end(), await database.drop()) };
}

export async function writeLog(pool: pg.Pool, events: readonly InteractionEventInput[], history: readonly HistoryRow[] = []): Promise<InteractionEvent[]> {
  const parsed = events.map((event) => InteractionEvent.parse(event));
  await new OfflineStore(pool).writeBatch({ events: parsed, history });
  return parsed;
}

export const T0 = Date.UTC(2026, 2, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
