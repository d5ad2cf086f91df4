import type pg from 'pg';

/** Tables partitioned by month of event time, whose monthly partitions writers create ahead. */
const MONTHLY_TABLES = ['event_log', 'feature_history'] as const;

/** Created concurrently by another writer. */
const EXISTS = '42P07';
/** The default partition holds rows of the month, so the month's partition cannot be attached. */
const ROWS_IN_DEFAULT = '23514';

const code = (error: unknown) => (error as { code?: string }).code ?? '';

/** The first instant of each UTC month that [from, to] touches, epoch ms. */
export function monthsCovering(from: number, to: number): Date[] {
  const first = new Date(from);
  const months: Date[] = [];
  for (let month = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1)); month.getTime() <= to; ) {
    months.push(month);
    month = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
  }
  return months;
}

/**
 * Creates the monthly partitions of this month and the next where missing, so
 * rows land in them rather than in the default partition. A month whose rows
 * already sit in the default partition is skipped (move them first to split
 * it); returns the partitions that exist afterwards.
 */
export async function ensureMonthlyPartitions(pool: pg.Pool, now = Date.now()): Promise<string[]> {
  const date = new Date(now);
  const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return ensurePartitions(pool, now, nextMonth, { moveDefaultRows: false });
}

/**
 * Creates the monthly partitions of every month in [from, to] where missing.
 * With `moveDefaultRows`, a month whose rows sit in the default partition is
 * split out of it (its rows moved into the new partition, in one
 * transaction), so that nothing of the range stays in `*_default`; without,
 * such a month is skipped. Returns the partitions that exist afterwards.
 */
export async function ensurePartitions(pool: pg.Pool, from: number, to: number, { moveDefaultRows }: { moveDefaultRows: boolean }): Promise<string[]> {
  const wanted = MONTHLY_TABLES.flatMap((table) => monthsCovering(from, to).map((start) => monthPartition(table, start)));
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY($1::text[])`,
    [[...MONTHLY_TABLES]],
  );
  const existing = new Set(rows.map((row) => row.name));
  const missing = wanted.filter((partition) => !existing.has(partition.name));
  // All at once first (one round trip, one transaction); the months the default partition holds rows of then go one by one.
  try {
    if (missing.length > 0) await pool.query(missing.map((partition) => partition.create).join(';\n'));
    return wanted.map((partition) => partition.name);
  } catch (error) {
    if (code(error) !== ROWS_IN_DEFAULT && code(error) !== EXISTS) throw error;
  }
  const ready = wanted.filter((partition) => existing.has(partition.name)).map((partition) => partition.name);
  for (const partition of missing) {
    try {
      await pool.query(partition.create);
      ready.push(partition.name);
    } catch (error) {
      if (code(error) === ROWS_IN_DEFAULT && moveDefaultRows) {
        await splitFromDefault(pool, partition);
        ready.push(partition.name);
      } else if (code(error) !== EXISTS && code(error) !== ROWS_IN_DEFAULT) {
        throw error;
      }
    }
  }
  return ready;
}

interface MonthPartition {
  table: (typeof MONTHLY_TABLES)[number];
  name: string;
  start: Date;
  end: Date;
  create: string;
}

function monthPartition(table: MonthPartition['table'], start: Date): MonthPartition {
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const name = `${table}_y${start.getUTCFullYear()}m${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  const create = `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF ${table} FOR VALUES FROM ('${start.toISOString()}') TO ('${end.toISOString()}')`;
  return { table, name, start, end, create };
}

/** Moves a month's rows out of the default partition into a new partition of their own, atomically. */
async function splitFromDefault(pool: pg.Pool, { table, create, start, end }: MonthPartition): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`CREATE TEMP TABLE moved_rows (LIKE ${table}) ON COMMIT DROP`);
    await client.query(
      `WITH moved AS (DELETE FROM ${table}_default WHERE event_time >= $1 AND event_time < $2 RETURNING *) INSERT INTO moved_rows SELECT * FROM moved`,
      [start.toISOString(), end.toISOString()],
    );
    await client.query(create);
    await client.query(`INSERT INTO ${table} SELECT * FROM moved_rows`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
