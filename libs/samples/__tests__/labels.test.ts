import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionEvent, InteractionEventInput } from '@recstream/schemas';
import { SyntheticWorld } from '@recstream/synth';
import { readSamples, SampleGenerator, type Sample } from '../src/index.js';
import { DAY, HOUR, MINUTE, T0, openTestDb, writeLog, type TestDb } from './harness.js';

const WINDOW = 10 * MINUTE;
let db: TestDb;
let events: InteractionEvent[];

/** Outcomes the synthetic world does not produce: late, early, other request, other item. */
function edgeCases(): InteractionEventInput[] {
  const base = { user_id: 'edge-user', context: { surface: 'home', position: 0 } };
  const t = T0 + DAY / 2;
  return [
    { ...base, event_id: 'x1', type: 'exposure', item_id: 'a', request_id: 'rq1', event_time: t },
    { ...base, event_id: 'x2', type: 'click', item_id: 'a', request_id: 'rq1', event_time: t + WINDOW + 1 },
    { ...base, event_id: 'x3', type: 'exposure', item_id: 'b', request_id: 'rq1', event_time: t },
    { ...base, event_id: 'x4', type: 'click', item_id: 'b', request_id: 'rq2', event_time: t + MINUTE },
    { ...base, event_id: 'x5', type: 'exposure', item_id: 'c', request_id: 'rq1', event_time: t },
    { ...base, event_id: 'x6', type: 'click', item_id: 'c', request_id: 'rq1', event_time: t - 1 },
    { ...base, event_id: 'x7', type: 'exposure', item_id: 'd', request_id: 'rq1', event_time: t },
    { ...base, event_id: 'x8', type: 'click', item_id: 'd', request_id: 'rq1', event_time: t + WINDOW },
    { ...base, event_id: 'x9', type: 'purchase', item_id: 'd', request_id: 'rq1', event_time: t + WINDOW },
    { ...base, event_id: 'x10', type: 'view', item_id: 'd', request_id: 'rq1', event_time: t + MINUTE, dwell_ms: 42_000 },
    // Exposed just before the range end; its click lands after the end but within the window.
    { ...base, event_id: 'x11', type: 'exposure', item_id: 'e', request_id: 'rq3', event_time: T0 + 2 * DAY - 1 },
    { ...base, event_id: 'x12', type: 'click', item_id: 'e', request_id: 'rq3', event_time: T0 + 2 * DAY + MINUTE },
    // A user seen only in the first hour: the held-out positive lies before every train cut.
    { user_id: 'early-user', context: base.context, event_id: 'y1', type: 'exposure', item_id: 'a', request_id: 'rq4', event_time: T0 + HOUR },
    { user_id: 'early-user', context: base.context, event_id: 'y2', type: 'click', item_id: 'a', request_id: 'rq4', event_time: T0 + HOUR + MINUTE },
  ];
}

/** The labels, computed here from the raw events without SQL. */
function reference(from: number, to: number) {
  const outcomes = events.filter((e) => e.type !== 'exposure' && e.request_id);
  return events
    .filter((e) => e.type === 'exposure' && e.event_time >= from && e.event_time < to)
    .map((x) => {
      const mine = outcomes.filter((o) => o.request_id === x.request_id && o.item_id === x.item_id && o.event_time >= x.event_time && o.event_time <= x.event_time + WINDOW);
      const clicked = mine.some((o) => o.type === 'click');
      return {
        key: `${x.user_id}|${x.item_id}|${x.event_time}|${x.request_id}`,
        clicked,
        converted: mine.some((o) => o.type === 'purchase'),
        dwellMs: Math.max(0, ...mine.filter((o) => o.type === 'view').map((o) => o.dwell_ms ?? 0)),
        label: clicked ? 1 : 0,
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

async function readAll(version: string, batchSize = 500): Promise<Sample[]> {
  const all: Sample[] = [];
  for await (const batch of readSamples(db.pool, version, { batchSize })) all.push(...batch);
  return all;
}

beforeAll(async () => {
  db = await openTestDb();
  const world = new SyntheticWorld({ users: 40, items: 80, days: 3, seed: 7 });
  events = await writeLog(db.pool, [...world.interactionEvents(), ...edgeCases()]);
});
afterAll(() => db?.close());

describe('exposure labels', () => {
  it('match a reference computed from the raw events, edge cases included', async () => {
    const range = { from: T0, to: T0 + 2 * DAY };
    const { manifest } = await new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW } }).generate({ range });
    const samples = await readAll(manifest.datasetVersion);
    const got = samples
      .map((s) => ({ key: `${s.userId}|${s.itemId}|${s.labelTime}|${s.requestId}`, clicked: s.clicked, converted: s.converted, dwellMs: s.dwellMs, label: s.label }))
      .sort((a, b) => a.key.localeCompare(b.key));
    const expected = reference(range.from, range.to);
    expect(expected.filter((e) => e.label === 1).length).toBeGreaterThan(20);
    expect(got).toEqual(expected);

    const edge = Object.fromEntries(samples.filter((s) => s.userId === 'edge-user').map((s) => [s.itemId, s]));
    expect(edge.a!.clicked).toBe(false); // click after the window
    expect(edge.b!.clicked).toBe(false); // click of another request
    expect(edge.c!.clicked).toBe(false); // click before the exposure
    expect(edge.d).toMatchObject({ clicked: true, converted: true, dwellMs: 42_000 }); // at the window's edge
    expect(edge.e!.clicked).toBe(true); // outcome after the range end

    expect(manifest).toMatchObject({ status: 'ready', sampleCount: expected.length, positiveCount: expected.filter((e) => e.label === 1).length });
    expect(manifest.labelRate).toBeCloseTo(manifest.positiveCount / manifest.sampleCount, 10);
  });

  it('labels by conversion or by dwell when configured', async () => {
    const range = { from: T0, to: T0 + 2 * DAY };
    const byDwell = await new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW, labelOutcome: 'dwell', minDwellMs: 40_000 } }).generate({ range });
    const samples = await readAll(byDwell.manifest.datasetVersion);
    for (const sample of samples) expect(sample.label).toBe(sample.dwellMs >= 40_000 ? 1 : 0);
    expect(samples.some((s) => s.label === 1)).toBe(true);
    const byConversion = await new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW, labelOutcome: 'conversion' } }).generate({ range });
    for (const sample of await readAll(byConversion.manifest.datasetVersion)) expect(sample.label).toBe(sample.converted ? 1 : 0);
  });

  it('splits by time and holds out each user\'s latest positive', async () => {
    const range = { from: T0, to: T0 + 3 * DAY };
    const { manifest } = await new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW, trainFraction: 0.5, validationFraction: 0.25 } }).generate({ range });
    const samples = await readAll(manifest.datasetVersion, 333);
    expect(samples.map((s) => s.sampleId)).toEqual(samples.map((_, i) => i + 1));
    // Every sample of a user's held-out (user, item) pair is test, so a repeated click is never trained on.
    const heldItem = new Map(samples.filter((s) => s.holdout === 'test').map((s) => [s.userId, s.itemId]));
    for (const s of samples) {
      const share = (s.labelTime - range.from) / (range.to - range.from);
      expect(s.split).toBe(heldItem.get(s.userId) === s.itemId || share >= 0.75 ? 'test' : share < 0.5 ? 'train' : 'validation');
    }
    const byUser = new Map<string, Sample[]>();
    for (const s of samples) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    for (const [, mine] of byUser) {
      const positives = mine.filter((s) => s.label === 1);
      if (positives.length === 0) {
        expect(mine.every((s) => s.holdout === null)).toBe(true);
        continue;
      }
      const latest = Math.max(...positives.map((s) => s.labelTime));
      const held = mine.filter((s) => s.holdout === 'test');
      expect(held.length).toBe(1);
      expect(held[0]!.labelTime).toBe(latest);
      for (const s of mine.filter((s) => s.holdout === 'train')) expect(s.labelTime).toBeLessThan(latest);
      expect(mine.filter((s) => s.labelTime < latest).every((s) => s.holdout === (s.itemId === held[0]!.itemId ? null : 'train'))).toBe(true);
    }
    expect(manifest.splitCounts.holdout_test).toBe([...byUser.values()].filter((mine) => mine.some((s) => s.label === 1)).length);
    const splitFilter: Sample[] = [];
    for await (const batch of readSamples(db.pool, manifest.datasetVersion, { splits: ['validation'], batchSize: 50 })) splitFilter.push(...batch);
    expect(splitFilter.length).toBe(manifest.splitCounts.validation);
    expect(splitFilter.every((s) => s.split === 'validation')).toBe(true);
  });

  it('never trains or validates on a held-out positive, whatever its time', async () => {
    const range = { from: T0, to: T0 + 3 * DAY };
    const { manifest } = await new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW, trainFraction: 0.5, validationFraction: 0.25 } }).generate({ range });
    const trainCut = range.from + (range.to - range.from) * 0.5;
    const held = (await readAll(manifest.datasetVersion)).filter((s) => s.holdout === 'test');
    expect(held.filter((s) => s.labelTime < trainCut).map((s) => s.userId)).toContain('early-user');
    expect(held.every((s) => s.split === 'test')).toBe(true);
    for (const split of ['train', 'validation'] as const) {
      const read: Sample[] = [];
      for await (const batch of readSamples(db.pool, manifest.datasetVersion, { splits: [split], batchSize: 97 })) read.push(...batch);
      expect(read.length).toBe(manifest.splitCounts[split]);
      expect(read.filter((s) => s.holdout === 'test')).toEqual([]);
    }
  });

  it('reuses a ready version for the same range and config, and rebuilds on request', async () => {
    const generator = new SampleGenerator(db.pool, { config: { attributionWindowMs: WINDOW } });
    const range = { from: T0, to: T0 + DAY };
    const first = await generator.generate({ range });
    const again = await generator.generate({ range });
    expect(again.reused).toBe(true);
    expect(again.manifest.datasetVersion).toBe(first.manifest.datasetVersion);
    const steps: string[] = [];
    const rebuilt = await generator.generate({ range, rebuild: true, onProgress: (p) => steps.push(p.step) });
    expect(rebuilt.reused).toBe(false);
    expect(rebuilt.manifest.sampleCount).toBe(first.manifest.sampleCount);
    expect(steps.at(0)).toBe('labels');
    expect(steps.at(-1)).toBe('attach');
  });
});
