import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, deserializeModel, selectBackend, serializeModel, vocabularyId, type RecModel } from '@recstream/models';
import type { InteractionEvent } from '@recstream/schemas';
import { ExampleBuilder } from './examples/example-builder.js';
import { OnlineLearner, isHoldoutUser, type LearnerOptions } from './learner.js';
import { DEFAULT_EXAMPLE_BUILDER_OPTIONS, DEFAULT_LEARNER_OPTIONS } from './options.js';
import { modelForUpdating } from './models.js';
import { ID_SPEC, hitRate, staticModel } from '../testing/offline-start.js';
import { TasteShiftWorld } from '../testing/taste-shift.js';

const spec = ID_SPEC;

function feed(builder: ExampleBuilder, learner: OnlineLearner, events: InteractionEvent[]): void {
  for (const event of events) learner.learn(builder.accept(0, event));
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('online learning after a planted change of taste', () => {
  // Margins sit below what these seeds measured (docs/decisions/online-sparse-rates.md).
  const MARGIN = 0.1;
  const NEW_ITEM_MARGIN = 0.3;
  const ONLINE_LEARNING_RATE = 0.3;

  it(`recovers HR@10 faster than the static model: ahead by ${MARGIN} from the third window on, by ${NEW_ITEM_MARGIN} on new items from the second`, async () => {
    const world = new TasteShiftWorld({ users: 100 });
    const trained = await staticModel(world, 6_000);
    const before = world.events(500, false).filter((e) => e.type === 'click' && !isHoldoutUser(e.user_id, 0.05));
    const preShiftHitRate = hitRate(trained, before, world.catalogue(false));
    const online = modelForUpdating(serializeModel(trained), ONLINE_LEARNING_RATE);
    const learner = new OnlineLearner({ recall: { model: online, parent: trained } }, { ...DEFAULT_LEARNER_OPTIONS, batchSize: 128 });
    const builder = new ExampleBuilder(DEFAULT_EXAMPLE_BUILDER_OPTIONS);

    const windows: { online: number; static: number; newItems: { online: number; static: number } }[] = [];
    for (let w = 0; w < 6; w++) {
      const events = world.events(800, true);
      // Prequential: each window's clicks are scored before the models learn from them (and holdout users never are).
      const clicks = events.filter((e) => e.type === 'click' && !isHoldoutUser(e.user_id, 0.05));
      const fresh = clicks.filter((e) => world.isNew(e.item_id));
      const catalogue = world.catalogue(true);
      windows.push({
        online: hitRate(online, clicks, catalogue),
        static: hitRate(trained, clicks, catalogue),
        newItems: { online: hitRate(online, fresh, catalogue), static: hitRate(trained, fresh, catalogue) },
      });
      feed(builder, learner, events);
      learner.flush();
    }

    // The shift is real: both models lose most of their hit rate on the first window after it.
    expect(preShiftHitRate).toBeGreaterThan(0.6);
    expect(windows[0]!.online).toBeLessThan(0.1);
    for (const window of windows.slice(1)) {
      expect(window.newItems.online - window.newItems.static).toBeGreaterThanOrEqual(NEW_ITEM_MARGIN);
    }
    for (const window of windows.slice(2)) expect(window.online - window.static).toBeGreaterThanOrEqual(MARGIN);
    expect(windows.at(-1)!.online).toBeGreaterThan(windows[1]!.online + 0.1);
    expect(Math.max(...windows.map((w) => w.static))).toBeLessThan(0.1);
  });
});

describe('OnlineLearner restarted from exported state', () => {
  const options: LearnerOptions = { ...DEFAULT_LEARNER_OPTIONS, batchSize: 64, denseEvery: 3 };

  function fresh(models: { recall: RecModel; ranking: RecModel }, state?: { builder: string; learner: string }) {
    const builder = new ExampleBuilder(DEFAULT_EXAMPLE_BUILDER_OPTIONS, state && JSON.parse(state.builder));
    const learner = new OnlineLearner({ recall: { model: models.recall }, ranking: { model: models.ranking } }, options, state && JSON.parse(state.learner));
    return { builder, learner };
  }

  it('ends with the same models as a run that never stopped', () => {
    const world = new TasteShiftWorld({ users: 60, seed: 9 });
    const events = world.events(900, true);
    const initial = {
      recall: serializeModel(createModel('mf', spec, { dim: 8, seed: 4 })),
      ranking: serializeModel(createModel('deepfm', { contextFields: ['device', 'position'], historyLength: 0 }, { embeddingDim: 4, deepLayers: [8], seed: 4 })),
    };
    const load = () => ({ recall: deserializeModel(initial.recall), ranking: deserializeModel(initial.ranking) });

    const uninterrupted = load();
    const whole = fresh(uninterrupted);
    feed(whole.builder, whole.learner, events);

    const first = fresh(load());
    const cut = 1_234;
    feed(first.builder, first.learner, events.slice(0, cut));
    expect(first.learner.pending).toBeGreaterThan(0);
    const snapshot = {
      models: { recall: serializeModel(first.learner.model('recall')!), ranking: serializeModel(first.learner.model('ranking')!) },
      builder: JSON.stringify(first.builder.exportState()),
      learner: JSON.stringify(first.learner.exportState()),
    };
    const restarted = { recall: deserializeModel(snapshot.models.recall), ranking: deserializeModel(snapshot.models.ranking) };
    const second = fresh(restarted, snapshot);
    feed(second.builder, second.learner, events.slice(cut));

    expect(second.learner.examples).toBe(whole.learner.examples);
    expect(second.learner.steps('ranking')).toBe(whole.learner.steps('ranking'));
    expect(whole.learner.steps('ranking')).toBeGreaterThan(2 * options.denseEvery);
    for (const role of ['recall', 'ranking'] as const) {
      const expected = uninterrupted[role].toArtifact();
      const actual = restarted[role].toArtifact();
      for (const [name, table] of Object.entries(expected.tables)) {
        expect(Array.from(actual.tables[name]!.ids)).toEqual(Array.from(table.ids));
        actual.tables[name]!.weights.forEach((w, i) => expect(w).toBeCloseTo(table.weights[i]!, 5));
      }
      for (const [name, { values }] of Object.entries(expected.dense)) {
        actual.dense[name]!.values.forEach((w, i) => expect(w).toBeCloseTo(values[i]!, 5));
      }
    }
  });
});

describe('OnlineLearner.forget', () => {
  it('removes an erased user’s rows from the model and its parent and drops their buffered examples', () => {
    const world = new TasteShiftWorld({ users: 20, seed: 4 });
    const model = createModel('mf', spec, { dim: 4, seed: 1 });
    const parent = createModel('mf', spec, { dim: 4, seed: 1 });
    const builder = new ExampleBuilder(DEFAULT_EXAMPLE_BUILDER_OPTIONS);
    const learner = new OnlineLearner({ recall: { model, parent } }, { ...DEFAULT_LEARNER_OPTIONS, batchSize: 64, holdoutFraction: 0 });
    const events = world.events(400, false);
    feed(builder, learner, events);
    const user = events.find((e) => e.type === 'click')!.user_id;
    parent.tables().get('user')!.row(vocabularyId(user), true);
    expect(model.tables().get('user')!.row(vocabularyId(user), false)).toBeGreaterThanOrEqual(0);
    feed(builder, learner, world.events(30, false).filter((e) => e.user_id === user));

    expect(learner.forget(new Set([user]))).toEqual({ recall: 1 });
    expect(model.tables().get('user')!.row(vocabularyId(user), false)).toBe(-1);
    expect(parent.tables().get('user')!.row(vocabularyId(user), false)).toBe(-1);
    const state = learner.exportState();
    expect(state.buffers.recall!.some((e) => e.userId === user)).toBe(false);
    expect(learner.forget(new Set([user]))).toEqual({ recall: 0 });
    learner.dispose();
  });
});
