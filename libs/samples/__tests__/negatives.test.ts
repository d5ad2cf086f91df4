import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionEventInput } from '@recstream/schemas';
import { Random } from '@recstream/synth';
import { readSamples, SampleGenerator, type GeneratorConfig, type Sample } from '../src/index.js';
import { DAY, HOUR, T0, openTestDb, writeLog, type TestDb } from './harness.js';

const USERS = 30;
const ITEMS = 60;
const RANGE = { from: T0, to: T0 + 4 * DAY };
let db: TestDb;
let interacted: Set<string>;
let log: InteractionEventInput[];

/** Implicit feedback only: views, ratings and likes with Zipf-ish popularity, some after the range. */
function implicitLog(): InteractionEventInput[] {
  const random = new Random(11);
  const events: InteractionEventInput[] = [];
  for (let u = 0; u < USERS; u++) {
    for (let n = 0; n < 10; n++) {
      const item = `i${Math.floor(ITEMS * random.next() ** 2)}`;
      const time = T0 + Math.floor(random.next() * 5 * DAY);
      const kind = random.int(3);
      const base = { event_id: `u${u}-${n}`, user_id: `u${u}`, item_id: item, event_time: time };
      events.push(kind === 0 ? { ...base, type: 'view', dwell_ms: 1_000 } : kind === 1 ? { ...base, type: 'rating', rating: 1 + random.int(5) } : { ...base, type: 'like' });
    }
  }
  // Exposures are not interactions: an item only shown to u0 may be its negative.
  events.push({ event_id: 'shown', type: 'exposure', user_id: 'u0', item_id: `i${ITEMS - 1}`, request_id: 'r', event_time: T0 + HOUR });
  return events;
}

async function build(config: Partial<GeneratorConfig>): Promise<Sample[]> {
  const { manifest } = await new SampleGenerator(db.pool, { config: { labelSource: 'implicit', ...config } }).generate({ range: RANGE });
  const samples: Sample[] = [];
  for await (const batch of readSamples(db.pool, manifest.datasetVersion, { batchSize: 100 })) samples.push(...batch);
  expect(samples.length).toBe(manifest.sampleCount);
  return samples;
}

beforeAll(async () => {
  db = await openTestDb();
  log = implicitLog();
  await writeLog(db.pool, log);
  interacted = new Set(log.filter((e) => e.type !== 'exposure').map((e) => `${e.user_id}|${e.item_id}`));
});
afterAll(() => db?.close());

describe('implicit labels and negative sampling', () => {
  it('takes each user-item pair once, from its first qualifying interaction in the range', async () => {
    const samples = await build({ negativeStrategy: 'uniform', negativesPerPositive: 0 });
    const firsts = new Map<string, number>();
    for (const e of log) {
      const time = e.event_time as number;
      const qualifies = e.type !== 'exposure' && (e.type !== 'rating' || e.rating! >= 4) && time >= RANGE.from && time < RANGE.to;
      const key = `${e.user_id}|${e.item_id}`;
      if (qualifies && time < (firsts.get(key) ?? Infinity)) firsts.set(key, time);
    }
    const got = new Map(samples.map((s) => [`${s.userId}|${s.itemId}`, s.labelTime]));
    expect(got).toEqual(firsts);
    expect(samples.every((s) => s.label === 1 && !s.sampledNegative)).toBe(true);
  });

  for (const negativeStrategy of ['uniform', 'popularity'] as const) {
    it(`${negativeStrategy}: never samples an item the user interacted with, at any time`, async () => {
      const samples = await build({ negativeStrategy, negativesPerPositive: 4, seed: 3 });
      const positives = samples.filter((s) => !s.sampledNegative);
      const negatives = samples.filter((s) => s.sampledNegative);
      expect(negatives.length).toBeGreaterThan(3.5 * positives.length);
      expect(negatives.length).toBeLessThanOrEqual(4 * positives.length);
      for (const negative of negatives) {
        expect(interacted.has(`${negative.userId}|${negative.itemId}`), `${negative.userId} interacted with ${negative.itemId}`).toBe(false);
        expect(negative.label).toBe(0);
      }
      // A negative shares its positive's time and context.
      const times = new Set(positives.map((s) => `${s.userId}|${s.labelTime}`));
      expect(negatives.every((s) => times.has(`${s.userId}|${s.labelTime}`))).toBe(true);
    });
  }

  it('popularity-aware sampling draws popular items more often than uniform sampling does', async () => {
    const popularity = new Map<string, number>();
    for (const e of log) if (e.type !== 'exposure') popularity.set(e.item_id, (popularity.get(e.item_id) ?? 0) + 1);
    const top = new Set([...popularity.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([item]) => item));
    const share = (samples: Sample[]) => {
      const negatives = samples.filter((s) => s.sampledNegative);
      return negatives.filter((s) => top.has(s.itemId)).length / negatives.length;
    };
    const uniform = share(await build({ negativeStrategy: 'uniform', negativesPerPositive: 4, seed: 5 }));
    const popular = share(await build({ negativeStrategy: 'popularity', negativesPerPositive: 4, seed: 5, popularityExponent: 1 }));
    expect(popular).toBeGreaterThan(uniform * 1.5);
  });

  it('draws the same negatives for the same seed', async () => {
    const key = (samples: Sample[]) => samples.filter((s) => s.sampledNegative).map((s) => `${s.userId}|${s.itemId}|${s.labelTime}`).sort();
    const generator = (seed: number) => new SampleGenerator(db.pool, { config: { labelSource: 'implicit', seed } });
    const a = await generator(9).generate({ range: RANGE, rebuild: true });
    const first: Sample[] = [];
    for await (const batch of readSamples(db.pool, a.manifest.datasetVersion)) first.push(...batch);
    const b = await generator(9).generate({ range: RANGE, rebuild: true });
    const second: Sample[] = [];
    for await (const batch of readSamples(db.pool, b.manifest.datasetVersion)) second.push(...batch);
    expect(key(second)).toEqual(key(first));
  });
});
