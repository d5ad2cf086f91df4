/**
 * The two-tower model as a train job runs it: samples whose point-in-time
 * features carry item categories and user profiles, trained as recall,
 * registered and gated.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertView, itemAttributes, type HistoryRow, type ItemAttributes } from '@recstream/features';
import { TwoTowerModel } from '@recstream/models';
import { ModelRegistry } from '@recstream/registry';
import { InteractionEvent, ItemEvent, UserEvent } from '@recstream/schemas';
import type { TestDatabase } from '@recstream/schemas/test-database';
import { SyntheticWorld } from '@recstream/synth';
import { registerAndPromote, trainOnDataset, type TrainResult } from '../src/index.js';
import { sequenceHistory, worldDataset } from './world-dataset.js';

const world = new SyntheticWorld({ users: 300, items: 300, categories: 10, days: 6, seed: 11, sessionsPerUserPerDay: 2 });
let database: TestDatabase;
let pool: pg.Pool;
let datasetVersion = '';
let result: TrainResult;

/** The catalogue's attribute rows and the sequences, with categories, that the feature builder would have written. */
function history(events: InteractionEvent[]): HistoryRow[] {
  const catalog = [...world.upsertEvents()].map((raw) => upsertView(raw.type === 'item' ? ItemEvent.parse(raw) : UserEvent.parse(raw)));
  const categories = new Map(catalog.flatMap((view) => (view.view === itemAttributes.name ? [[view.id, (view.values as ItemAttributes).categories[0]!]] : [])));
  return [
    ...catalog.map((view) => ({ view: view.view, entityId: view.id, eventTime: view.eventTime, values: view.values })),
    ...sequenceHistory(events, (itemId) => categories.get(itemId)),
  ];
}

beforeAll(async () => {
  ({ database, pool, datasetVersion } = await worldDataset(world, history));
  result = await trainOnDataset(pool, { datasetVersion, modelType: 'twotower', role: 'recall', maxEpochs: 3, seed: 3 });
}, 600_000);

afterAll(async () => {
  await pool.end();
  await database.drop();
});

describe('trainOnDataset with modelType twotower', () => {
  it('trains towers that read the user and item features the samples carry, ranking held-out items above chance', () => {
    const model = result.model as TwoTowerModel;
    expect(model.readsItemFields).toBe(true);
    // The item category field and the sequence's categories were seen: their shared table has rows.
    expect(model.tables().get('ctx:item_category')!.size).toBeGreaterThanOrEqual(world.options.categories);
    expect(model.tables().get('ctx:user_country')!.size).toBeGreaterThan(1);
    expect(result.metrics.ncf_users).toBeGreaterThan(200);
    // Chance is 0.1 (10 of 100 candidates); measured values: docs/decisions/quality-test-thresholds.md.
    expect(result.metrics.hr_at_10).toBeGreaterThan(0.2);
    expect(result.metrics.hr_at_10).toBeGreaterThan(result.metrics.popularity_hr_at_10 + 0.05);
  });

  it('registers the version and gates it as the recall model', async () => {
    const outcome = await registerAndPromote(new ModelRegistry(pool), pool, result, {
      role: 'recall',
      modelType: 'twotower',
      datasetVersion,
      codeVersion: 'test',
      config: { seed: 3 },
    });
    expect(outcome.version.modelType).toBe('twotower');
    expect(outcome.promotion.promoted).toBe(true);
  });
});
