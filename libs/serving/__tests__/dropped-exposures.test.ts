/**
 * Lost exposures reach Postgres per experiment variant: the recorder adds
 * each interval's counts to what is there, and keeps counts whose write
 * failed for the next one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createLogger } from '@recstream/platform';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { DroppedExposureRecorder } from '../src/dropped-exposures.js';

const logger = createLogger('dropped-exposures-test', 'silent');
let database: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

const table = async () =>
  (await pool.query<{ experiment: string; variant: string; dropped: string }>('SELECT experiment, variant, dropped FROM experiment_exposures_dropped ORDER BY 1, 2')).rows.map((r) => [r.experiment, r.variant, Number(r.dropped)]);

describe('DroppedExposureRecorder', () => {
  it('adds up drops per experiment variant across writes', async () => {
    const recorder = new DroppedExposureRecorder(pool, logger, { intervalMs: 60_000 });
    recorder.start();
    recorder.add([{ experiment: 'exp-a', variant: 'control', count: 3 }]);
    recorder.add([{ experiment: 'exp-a', variant: 'control', count: 2 }, { experiment: 'exp-a', variant: 'treatment', count: 1 }]);
    await recorder.flush();
    expect(await table()).toEqual([['exp-a', 'control', 5], ['exp-a', 'treatment', 1]]);
    recorder.add([{ experiment: 'exp-a', variant: 'treatment', count: 4 }]);
    await recorder.close();
    expect(await table()).toEqual([['exp-a', 'control', 5], ['exp-a', 'treatment', 5]]);
  });

  it('keeps the counts of a failed write for the next one', async () => {
    let fail = true;
    const flaky = { query: (...args: Parameters<pg.Pool['query']>) => (fail ? Promise.reject(new Error('connection lost')) : pool.query(...args)) } as unknown as pg.Pool;
    const recorder = new DroppedExposureRecorder(flaky, logger);
    recorder.add([{ experiment: 'exp-b', variant: 'B', count: 7 }]);
    await recorder.flush();
    fail = false;
    await recorder.close();
    expect((await table()).filter(([experiment]) => experiment === 'exp-b')).toEqual([['exp-b', 'B', 7]]);
  });
});
