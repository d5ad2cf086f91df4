import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TuningResult } from '@recstream/models';
import { SampleGenerator } from '@recstream/samples';
import type { TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { defaultHyperparameters, runDatasetTrial, settingsOfRun, tuneOnDataset } from '../src/index.js';
import { worldDataset } from './world-dataset.js';

const world = new SyntheticWorld({ users: 120, items: 150, categories: 6, days: 3, seed: 5 });
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion = '';

beforeAll(async () => {
  ({ database, pool, datasetVersion } = await worldDataset(world));
}, 120_000);

afterAll(async () => {
  await pool.end();
  await database.drop();
});

/** The pool, recording the parameters of every query that reads the samples table. */
const sampleReads: unknown[][] = [];
const watched = new Proxy({} as pg.Pool, {
  get(_target, property) {
    if (property === 'query') {
      return (text: string, params?: unknown[]) => {
        if (/FROM samples\b/.test(text)) sampleReads.push(params ?? []);
        return pool.query(text, params);
      };
    }
    const value: unknown = Reflect.get(pool, property);
    return typeof value === 'function' ? value.bind(pool) : value;
  },
});

const withoutSeconds = (result: TuningResult) => result.trials.map(({ seconds: _seconds, ...rest }) => rest);

describe('tuneOnDataset', () => {
  it('searches on the validation split and never reads the test split', async () => {
    const run = { datasetVersion, modelType: 'mf' as const, role: 'recall' as const, seed: 3 };
    // No early stopping: trials that reach maxEpochs are where a run could go on to evaluate the test split.
    const clean = await tuneOnDataset(pool, run, { trials: 4, seed: 2, patience: 100 });
    expect(clean.trials).toHaveLength(4);
    const base = settingsOfRun(run);
    delete base.epochs;
    expect(clean.trials[0]!.settings).toEqual(base);
    expect(base).toMatchObject({ ...defaultHyperparameters('mf'), negatives: 4, batchSize: 1024 });
    // Validation AUCs; some draws train worse than chance on a dataset this small, the best does not.
    for (const trial of clean.trials) expect(trial.score).toBeGreaterThan(0);
    expect(clean.best.score).toBeGreaterThan(0.5);
    expect(new Set(clean.trials.map((trial) => trial.score)).size).toBeGreaterThan(1);
    expect(clean.chosen).toEqual({ ...clean.best.settings, epochs: clean.best.bestEpochs });

    // Garbage in the test split: unknown items and flipped labels.
    const poisoned = await pool.query(
      `UPDATE samples SET item_id = 'poison-' || sample_id, label = 1 - label WHERE dataset_version = $1 AND split = 'test'`,
      [datasetVersion],
    );
    expect(poisoned.rowCount).toBeGreaterThan(50);
    const dirty = await tuneOnDataset(watched, run, { trials: 4, seed: 2, patience: 100 });
    expect(dirty.chosen).toEqual(clean.chosen);
    expect(withoutSeconds(dirty)).toEqual(withoutSeconds(clean));
    // And no query of the samples asked for the test split, for all splits, or for the test holdout.
    expect(sampleReads.length).toBeGreaterThan(0);
    for (const [, , splits, holdout] of sampleReads) {
      expect(splits).toEqual(expect.any(Array));
      expect(splits).not.toContain('test');
      expect(holdout).not.toBe('test');
    }
  }, 300_000);

  it('cuts a trial past its deadline between batches, within its first epoch', async () => {
    const run = { datasetVersion, modelType: 'mf' as const, role: 'recall' as const, seed: 3 };
    const request = { trial: 1, rung: 0, epochs: 2, settings: { batchSize: 64 } };
    // A clock that advances a tick per reading: read at the start, before training, then after each batch.
    let tick = 0;
    const cut = await runDatasetTrial(pool, run, request, { patience: 3, deadline: 5, clock: () => tick++ });
    expect(cut).toMatchObject({ trial: 1, rung: 0, outcome: 'cut', epochs: 0, bestEpochs: 0, score: -Infinity });
    const whole = await runDatasetTrial(pool, run, request, { patience: 3 });
    expect(whole).toMatchObject({ outcome: 'completed', epochs: 2, score: expect.any(Number) });
    // Cut within a few batches of the deadline, not at the end of an epoch.
    expect(tick).toBeLessThan(10);
  }, 120_000);

  it('refuses at once a dataset version without a validation split', async () => {
    const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
    const generator = new SampleGenerator(pool, { config: { splitStrategy: 'leave-latest-out' } });
    const { datasetVersion: leaveLatestOut } = (await generator.generate({ range })).manifest;
    await expect(tuneOnDataset(pool, { datasetVersion: leaveLatestOut, modelType: 'mf', role: 'recall' }, { trials: 2 })).rejects.toThrow(
      /has no validation split to tune on/,
    );
  }, 120_000);
});
