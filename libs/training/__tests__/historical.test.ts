/**
 * Honest evaluation on historical data: a rating log whose users were active
 * in different years, split by time, so most users' held-out latest positive
 * lies far before the time cut. No held-out case may be trained on, counted
 * from the data the trainer actually read.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineStore } from '@recstream/features';
import { readSamples, SampleGenerator, type GeneratorConfig, type Sample } from '@recstream/samples';
import { InteractionEvent, type InteractionEventInput } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { Random } from '@recstream/synth';
import { trainOnDataset, type TrainResult } from '../src/index.js';

const DAY = 86_400_000;
const RANGE = { from: Date.UTC(2000, 0, 1), to: Date.UTC(2016, 0, 1) };
/** Years the cohorts were active in: before the train cut, in the validation share, in the test share. */
const COHORTS = [2001, 2014, 2015];
const USERS_PER_COHORT = 12;
const ITEMS = 50;
let database: TestDatabase;
let pool: pg.Pool;

/** Each user rates 12 distinct items over three months of their year, with a taste for one half of the catalogue. */
function ratings(): InteractionEventInput[] {
  const random = new Random(23);
  const events: InteractionEventInput[] = [];
  for (const year of COHORTS) {
    for (let u = 0; u < USERS_PER_COHORT; u++) {
      const user = `u${year}-${u}`;
      const half = u % 2;
      const items = new Set<string>();
      while (items.size < 12) items.add(`i${half * (ITEMS / 2) + random.int(ITEMS / 2)}`);
      [...items].forEach((item, n) => {
        const time = Date.UTC(year, 0, 1) + n * 7 * DAY + random.int(DAY);
        events.push({ event_id: `${user}-${item}`, type: 'rating', user_id: user, item_id: item, event_time: time, rating: 5 });
      });
    }
  }
  return events;
}

async function build(config: Partial<GeneratorConfig>): Promise<string> {
  const { manifest } = await new SampleGenerator(pool, { config: { labelSource: 'implicit', ...config } }).generate({ range: RANGE });
  return manifest.datasetVersion;
}

async function readAll(datasetVersion: string): Promise<Sample[]> {
  const samples: Sample[] = [];
  for await (const batch of readSamples(pool, datasetVersion)) samples.push(...batch);
  return samples;
}

let timeCut: { datasetVersion: string; result: TrainResult };
let leaveLatestOut: { datasetVersion: string; result: TrainResult };

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  await new OfflineStore(pool).writeBatch({ events: ratings().map((event) => InteractionEvent.parse(event)), history: [] });
  const byTime = await build({});
  timeCut = { datasetVersion: byTime, result: await trainOnDataset(pool, { datasetVersion: byTime, modelType: 'mf', role: 'recall', maxEpochs: 3, seed: 5 }) };
  const latest = await build({ splitStrategy: 'leave-latest-out' });
  leaveLatestOut = { datasetVersion: latest, result: await trainOnDataset(pool, { datasetVersion: latest, modelType: 'mf', role: 'recall', maxEpochs: 4, patience: 1, seed: 5 }) };
}, 300_000);

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe('evaluation on a multi-year history', () => {
  it('trains on no held-out case with time-cut splits, though the 2001 users are held out long before the cut', async () => {
    const samples = await readAll(timeCut.datasetVersion);
    const trainCut = RANGE.from + 0.8 * (RANGE.to - RANGE.from);
    const heldOut = samples.filter((s) => s.holdout === 'test');
    expect(heldOut).toHaveLength(COHORTS.length * USERS_PER_COHORT);
    expect(heldOut.filter((s) => s.labelTime < trainCut).map((s) => s.userId.slice(0, 5))).toEqual(Array(USERS_PER_COHORT).fill('u2001'));
    const { metrics } = timeCut.result;
    expect(metrics.ncf_users).toBe(heldOut.length);
    expect(metrics.test_cases_seen_in_training).toBe(0);
    for (const metric of [metrics.hr_at_10, metrics.ndcg_at_10, metrics.auc]) expect(Number.isFinite(metric)).toBe(true);
  });

  it('trains every other positive and no held-out case with the leave-latest-out split, for every epoch without a validation split', async () => {
    const samples = await readAll(leaveLatestOut.datasetVersion);
    const positives = samples.filter((s) => s.label === 1);
    expect(positives.filter((s) => s.split === 'train')).toHaveLength(positives.length - COHORTS.length * USERS_PER_COHORT);
    expect(samples.some((s) => s.split === 'validation')).toBe(false);
    const { metrics } = leaveLatestOut.result;
    expect(metrics).toMatchObject({ ncf_users: COHORTS.length * USERS_PER_COHORT, test_cases_seen_in_training: 0, epochs: 4, best_epoch: 3 });
    // The taste planted in the catalogue's halves is learnable from the 2001 users' history too.
    expect(metrics.hr_at_10).toBeGreaterThan(metrics.popularity_hr_at_10);
  });

  it('counts, from the data it read, held-out cases that reached the training split, and refuses to report on them', async () => {
    const leaky = await build({ seed: 2 });
    // The old split's leak, replayed: each held-out positive also read as a training sample.
    await pool.query(
      `INSERT INTO samples (dataset_version, sample_id, user_id, item_id, label_time, label, clicked, converted, dwell_ms, sampled_negative,
                            request_id, context, user_key, item_key, split, holdout)
       SELECT dataset_version, sample_id + 1000000, user_id, item_id, label_time, label, clicked, converted, dwell_ms, sampled_negative,
              request_id, context, user_key, item_key, 'train', NULL
         FROM samples WHERE dataset_version = $1 AND holdout = 'test' AND user_id LIKE 'u2001-%'`,
      [leaky],
    );
    await expect(trainOnDataset(pool, { datasetVersion: leaky, modelType: 'mf', role: 'recall', maxEpochs: 1, seed: 5 })).rejects.toThrow(
      new RegExp(`${USERS_PER_COHORT} of ${COHORTS.length * USERS_PER_COHORT} held-out test cases are positives of the training data`),
    );
  });
});
