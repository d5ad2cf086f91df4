/**
 * A rating log brought in as history: a time-shuffled MovieLens-format file
 * goes through the backfill, then samples are built with leave-latest-out.
 * Under the view catalogue recommended for rating logs, every view that has
 * data in range is found at label time for at least 90% of the samples;
 * under the default catalogue (windows and TTLs of days, for click streams)
 * the same history is mostly out of reach.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VIEW_CATALOGUE, KeyLayout, backfill, parseViewCatalogue, useViewCatalogue } from '@recstream/features';
import { createLogger } from '@recstream/platform';
import { movieLensRecords, writeMovieLensFile } from '@recstream/synth';
import { SampleGenerator } from '../src/index.js';
import { openTestDb, type TestDb } from './harness.js';

const CATALOGUE_FILE = new URL('../../../config/feature-views/rating-logs.json', import.meta.url);
const RANGE = { from: Date.UTC(2012, 0, 1), to: Date.UTC(2018, 0, 1) };
const namespace = `rating-log-${process.pid}-${Date.now()}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const dir = mkdtempSync(join(tmpdir(), 'rating-log-'));
let db: TestDb;

async function coverage(): Promise<Record<string, number>> {
  const generator = new SampleGenerator(db.pool, { config: { labelSource: 'implicit', minRating: 0, splitStrategy: 'leave-latest-out' } });
  const { manifest } = await generator.generate({ range: RANGE, rebuild: true });
  return manifest.featureCoverage;
}

beforeAll(async () => {
  db = await openTestDb();
  const file = join(dir, 'u.data');
  writeMovieLensFile(file, { ratings: 2_000, users: 40, items: 300, from: RANGE.from, to: RANGE.to - 86_400_000, seed: 11 });
  useViewCatalogue(parseViewCatalogue(readFileSync(CATALOGUE_FILE, 'utf8'), 'rating-logs.json'));
  const report = await backfill(
    { pool: db.pool, redis, logger: createLogger('rating-log-test', 'silent'), sendDeadLetters: async () => {} },
    movieLensRecords(file),
    { namespace },
  );
  expect(report).toMatchObject({ events: 2_000, rejected: 0 });
}, 240_000);

afterAll(async () => {
  useViewCatalogue(DEFAULT_VIEW_CATALOGUE);
  const keys = await redis.keys(new KeyLayout(namespace).pattern);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
  await db?.close();
});

describe('a rating log brought in by backfill', () => {
  it('gives every view with data in range at least 0.9 point-in-time coverage under the rating-log catalogue', async () => {
    const shares = await coverage();
    for (const view of ['user_activity', 'user_sequence', 'item_stats']) expect(shares[view], view).toBeGreaterThanOrEqual(0.9);
    // Ratings carry no catalogue or profile upserts: those views have no data, so nothing to find.
    expect(shares).toMatchObject({ user_profile: 0, item_attributes: 0 });
    const { rows } = await db.pool.query<{ count: string; mean: number }>(
      `SELECT count(*)::text AS count, avg(("values"->>'rating_mean')::float8) AS mean FROM feature_history
        WHERE feature_view = 'item_stats' AND ("values"->>'rating_count')::int > 0`,
    );
    expect(Number(rows[0]!.count)).toBeGreaterThan(0);
    expect(rows[0]!.mean).toBeGreaterThanOrEqual(1);
    expect(rows[0]!.mean).toBeLessThanOrEqual(5);
  }, 240_000);

  it('reads the same history with the default catalogue\'s TTLs, which miss most of it', async () => {
    useViewCatalogue(DEFAULT_VIEW_CATALOGUE);
    const shares = await coverage();
    expect(shares.user_activity).toBeLessThan(0.9);
    expect(shares.item_stats).toBeLessThan(0.9);
  }, 240_000);
});
