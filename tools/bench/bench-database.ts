import type pg from 'pg';

/**
 * Ends the pool and waits until each of its connections has closed:
 * `pool.end()` resolves once it has asked its idle clients to end, before
 * their backends have gone, and a DROP DATABASE ... WITH (FORCE) right
 * after would terminate those clients mid-goodbye.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => --open === 0 && resolve());
  });
  await pool.end();
  await closed;
}
