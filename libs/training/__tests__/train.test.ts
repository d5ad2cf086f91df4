import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineStore } from '@recstream/features';
import { ModelRegistry } from '@recstream/registry';
import { DEFAULT_GENERATOR_CONFIG, SampleGenerator, splitCuts } from '@recstream/samples';
import { InteractionEvent } from '@recstream/schemas';
import { createTestDatabase, type TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { deserializeModel, serializeModel } from '@recstream/models';
import { modelScorer } from '@recstream/models';
import { registerAndPromote, trainOnDataset, type TrainResult } from '../src/index.js';
import { sequenceHistory } from './world-dataset.js';

const world = new SyntheticWorld({ users: 300, items: 300, categories: 10, days: 6, seed: 11, sessionsPerUserPerDay: 2 });
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion = '';
let testPeriodStart = 0;
let mf: TrainResult;
let deepfm: TrainResult;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const events = [...world.interactionEvents()].map((event) => InteractionEvent.parse(event));
  await new OfflineStore(pool).writeBatch({ events, history: sequenceHistory(events) });
  const range = { from: world.options.start, to: world.options.start + world.options.days * 86_400_000 };
  datasetVersion = (await new SampleGenerator(pool).generate({ range })).manifest.datasetVersion;
  testPeriodStart = splitCuts(range, DEFAULT_GENERATOR_CONFIG).validationEnd;
  mf = await trainOnDataset(pool, { datasetVersion, modelType: 'mf', role: 'recall', seed: 3 });
  deepfm = await trainOnDataset(pool, { datasetVersion, modelType: 'deepfm', role: 'ranking', maxEpochs: 6, seed: 3 });
}, 300_000);

afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('trainOnDataset on a generated log with planted taste structure', () => {
  it('trains a recall model on no held-out case, ranking held-out items far above chance', () => {
    expect(mf.metrics.ncf_users).toBeGreaterThan(200);
    // Users here click some items again; no earlier click on a held-out item is trained on.
    expect(mf.metrics.test_cases_seen_in_training).toBe(0);
    // Chance is 0.1 (10 of 100 candidates); ids alone at a few clicks per user add little to popularity here.
    expect(mf.metrics.hr_at_10).toBeGreaterThan(0.2);
    // Every user with a test-split positive has a held-out one (the latest), and recall counts all of them.
    expect(mf.metrics.recall_users).toBe(mf.metrics.ncf_users);
    expect(mf.metrics.recall_at_10).not.toBe(mf.metrics.hr_at_10);
    expect(mf.backend).toMatch(/wasm|cpu|tensorflow/);
  });

  it('trains a ranking model whose AUC on exposures shows it learned who clicks what', () => {
    expect(deepfm.metrics.test_samples).toBeGreaterThan(1_000);
    // Measured values: docs/decisions/quality-test-thresholds.md.
    expect(deepfm.metrics.auc).toBeGreaterThan(0.62);
    expect(deepfm.metrics.gauc).toBeGreaterThan(0.55);
  });

  it('reads AUC on the test period only, not on the held-out pairs the test split keeps from before it', async () => {
    const { rows } = await pool.query<{ period: number; test: number }>(
      `SELECT count(*) FILTER (WHERE label_time >= to_timestamp($2::float8 / 1000))::int AS period, count(*)::int AS test
         FROM samples WHERE dataset_version = $1 AND split = 'test'`,
      [datasetVersion, testPeriodStart],
    );
    expect(rows[0]!.test).toBeGreaterThan(rows[0]!.period);
    expect(deepfm.metrics.test_samples).toBe(rows[0]!.period);
  });

  it('round-trips the artifact so a loaded model scores exactly as the trained one', () => {
    const rows = [
      { userId: 'u1', itemId: 'i1', time: world.options.start, context: {}, sequence: [] },
      { userId: 'u2', itemId: 'i7', time: world.options.start, context: { device: 'mobile' }, sequence: [] },
      { userId: 'nobody', itemId: 'nothing', time: world.options.start, context: {}, sequence: [] },
    ];
    const loaded = deserializeModel(serializeModel(mf.model));
    expect(Array.from(modelScorer(loaded).score(rows))).toEqual(Array.from(modelScorer(mf.model).score(rows)));
  });

  it('promotes the first version, then gates a challenger on the same test set', async () => {
    const registry = new ModelRegistry(pool);
    const options = { role: 'recall' as const, datasetVersion, codeVersion: 'test', config: { seed: 3 } };
    const first = await registerAndPromote(registry, pool, mf, { ...options, modelType: 'mf' });
    expect(first.promotion).toMatchObject({ promoted: true, incumbentVersion: null });

    const again = await registerAndPromote(registry, pool, mf, { ...options, modelType: 'mf' });
    // The same model cannot beat itself by the margin, and the incumbent was measured on the same cases.
    expect(again.promotion.promoted).toBe(false);
    expect(again.incumbentValue).toBeCloseTo(mf.metrics.hr_at_10, 10);
    expect((await registry.production('recall'))?.versionId).toBe(first.version.versionId);
  });
});
