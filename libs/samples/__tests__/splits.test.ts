import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionEventInput } from '@recstream/schemas';
import { EmptyDatasetError, readManifest, readSamples, SampleGenerator, type GeneratorConfig, type Sample } from '../src/index.js';
import { DAY, MINUTE, openTestDb, writeLog, type TestDb } from './harness.js';

const Y2001 = Date.UTC(2001, 0, 1);
const Y2014 = Date.UTC(2014, 0, 1);
const Y2015 = Date.UTC(2015, 0, 1);
const Y2016 = Date.UTC(2016, 0, 1);
const HISTORY = { from: Date.UTC(2000, 0, 1), to: Y2016 };
let db: TestDb;

/**
 * A rating log whose users were active in different years, a user who clicks one item twice, and one who never clicks;
 * a critic's low ratings put items in the 2001 catalogue that the 2001 user has not rated, to draw negatives from.
 */
function history(): InteractionEventInput[] {
  const rating = (user: string, item: string, time: number, value: number): InteractionEventInput => ({
    event_id: `${user}-${item}-${time}`,
    type: 'rating',
    user_id: user,
    item_id: item,
    event_time: time,
    rating: value,
  });
  const served = (user: string, item: string, time: number, request: string, clicked: boolean): InteractionEventInput[] => [
    { event_id: `${request}-x`, type: 'exposure', user_id: user, item_id: item, request_id: request, event_time: time },
    ...(clicked ? [{ event_id: `${request}-c`, type: 'click' as const, user_id: user, item_id: item, request_id: request, event_time: time + MINUTE }] : []),
  ];
  return [
    ...['a1', 'a2', 'a3', 'a4', 'a5'].map((item, i) => rating('old', item, Y2001 + i * 30 * DAY, 5)),
    rating('old', 'b1', Y2001 + 200 * DAY, 2),
    ...['c1', 'c2'].map((item) => rating('critic', item, Y2001 + MINUTE, 1)),
    ...['a1', 'a2', 'a3', 'a4'].map((item, i) => rating('new', item, Y2015 + i * 30 * DAY, 4)),
    ...served('repeat', 'x', Y2015 + 10 * DAY, 'r1', true),
    ...served('repeat', 'y', Y2015 + 40 * DAY, 'r2', true),
    ...served('repeat', 'x', Y2015 + 330 * DAY, 'r3', true),
    ...served('repeat', 'z', Y2015 + 340 * DAY, 'r4', false),
    ...served('shy', 'x', Y2014 + DAY, 'r5', false),
    ...served('shy', 'y', Y2014 + 2 * DAY, 'r6', false),
  ];
}

async function build(config: Partial<GeneratorConfig>, range = HISTORY): Promise<{ samples: Sample[]; splitCounts: Record<string, number> }> {
  const { manifest } = await new SampleGenerator(db.pool, { config }).generate({ range });
  const samples: Sample[] = [];
  for await (const batch of readSamples(db.pool, manifest.datasetVersion, { batchSize: 100 })) samples.push(...batch);
  return { samples, splitCounts: manifest.splitCounts };
}

beforeAll(async () => {
  db = await openTestDb();
  await writeLog(db.pool, history());
});
afterAll(() => db?.close());

describe('datasets that say what they are', () => {
  it('refuses to mark a dataset without samples ready, and names the label source that gives some', async () => {
    const generator = new SampleGenerator(db.pool);
    const range = { from: Y2001, to: Y2001 + 365 * DAY };
    const error = await generator.generate({ range }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmptyDatasetError);
    expect((error as Error).message).toMatch(/no exposure events/);
    expect((error as Error).message).toMatch(/5 implicit positives .* --label-source implicit/);
    expect((error as Error).message).toMatch(/rating 8/);
    const manifest = await readManifest(db.pool, generator.datasetVersion(range));
    expect(manifest).toMatchObject({ status: 'failed', error: (error as Error).message });
    await expect(readSamples(db.pool, generator.datasetVersion(range)).next()).rejects.toThrow(/is failed/);
  });

  it('refuses exposures that no outcome labels positive, and ratings all below the minimum', async () => {
    const noClicks = new SampleGenerator(db.pool).generate({ range: { from: Y2014, to: Y2015 } });
    await expect(noClicks).rejects.toThrow(/2 exposures .* but no click within the attribution window/);
    const strict = new SampleGenerator(db.pool, { config: { labelSource: 'implicit', implicitTypes: ['rating'], minRating: 6 } });
    await expect(strict.generate({ range: { from: Y2001, to: Y2001 + 365 * DAY } })).rejects.toThrow(/8 ratings are below --min-rating 6: lower it/);
    const empty = new SampleGenerator(db.pool).generate({ range: { from: Date.UTC(1995, 0, 1), to: Date.UTC(1996, 0, 1) } });
    await expect(empty).rejects.toThrow(/no events in \[1995.*the event log spans 2001-01-01.* to 2015/);
  });

  it('never trains on a held-out (user, item) pair clicked before too', async () => {
    const { samples } = await build({}, { from: Y2015, to: Y2016 });
    const mine = samples.filter((s) => s.userId === 'repeat');
    const x = mine.filter((s) => s.itemId === 'x');
    expect(x.map((s) => [s.holdout, s.split])).toEqual([
      [null, 'test'],
      ['test', 'test'],
    ]);
    // Without the pair rule the first click on x lies before the train cut.
    expect(x[0]!.labelTime).toBeLessThan(Y2015 + 0.8 * (Y2016 - Y2015));
    expect(mine.find((s) => s.itemId === 'y')).toMatchObject({ split: 'train', holdout: 'train' });
  });

  it('splits leave-latest-out: each user\'s latest positive is test and every other positive is train', async () => {
    const { samples, splitCounts } = await build({ labelSource: 'implicit', negativesPerPositive: 2, splitStrategy: 'leave-latest-out' });
    expect(splitCounts.validation).toBe(0);
    const users = new Set(samples.map((s) => s.userId));
    expect([...users].sort()).toEqual(['new', 'old', 'repeat']);
    for (const user of users) {
      const mine = samples.filter((s) => s.userId === user);
      const positives = mine.filter((s) => s.label === 1);
      const latest = positives.reduce((a, b) => (b.labelTime > a.labelTime ? b : a));
      expect(positives.filter((s) => s.split === 'test')).toEqual([latest]);
      expect(latest.holdout).toBe('test');
      // The held-out positive's sampled negatives are test too, so the test split has both labels.
      const heldNegatives = mine.filter((s) => s.label === 0 && s.labelTime === latest.labelTime);
      expect(heldNegatives.length).toBeGreaterThan(0);
      expect(mine.filter((s) => s.split === 'test' && s.label === 0)).toEqual(heldNegatives);
      expect(mine.filter((s) => s.labelTime < latest.labelTime).every((s) => s.split === 'train')).toBe(true);
    }
    // The time split would put all of 2015 in test: the 2015 user's earlier ratings are train here.
    const timeCut = await build({ labelSource: 'implicit', negativesPerPositive: 2 });
    expect(timeCut.samples.filter((s) => s.userId === 'new' && s.label === 1).every((s) => s.split === 'test')).toBe(true);
    expect(samples.filter((s) => s.userId === 'new' && s.label === 1 && s.split === 'train').length).toBe(3);
  });
});
