import type pg from 'pg';

/** Tables partitioned by month of event time, whose monthly partitions writers create ahead. */
const MONTHLY_TABLES = ['event_log', 'feature_history'] as const;

/** Postgres errors that mean "nothing to do here": created concurrently, or rows already in the default partition. */
const SKIPPABLE = new Set(['42P07', '23514']);

/**
 * Creates the monthly partitions of this month and the next where missing, so
 * rows land in them rather than in the default partition. A month whose rows
 * already sit in the default partition is skipped (move them first to split
 * it); returns the partitions that exist afterwards.
 */
export async function ensureMonthlyPartitions(pool: pg.Pool, now = Date.now()): Promise<string[]> {
  const date = new Date(now);
  const months = [0, 1].map((ahead) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + ahead, 1)));
  const ready: string[] = [];
  for (const table of MONTHLY_TABLES) {
    for (const start of months) {
      const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
      const name = `${table}_y${start.getUTCFullYear()}m${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
      try {
        await pool.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`,
        );
        ready.push(name);
      } catch (error) {
        if (!SKIPPABLE.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
  }
  return ready;
}
