import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import type { Batch, FeatureSpec } from './batch.js';
import { applyDelta, decodeDelta, deltaRows, encodeDelta, type ModelDelta } from './delta.js';
import { createModel, deserializeModel, serializeModel } from './models/factory.js';

const spec: FeatureSpec = { contextFields: ['device'], historyLength: 0 };
const batch: Batch = {
  size: 4,
  userIds: Int32Array.of(1, 2, 3, 1),
  itemIds: Int32Array.of(10, 20, 30, 40),
  labels: Float32Array.of(1, 0, 1, 0),
  context: [Int32Array.of(0, 1, 0, 2)],
};

/** Every table's rows touched after `marks`, and all dense weights: what an updater would publish. */
function deltaSince(model: ReturnType<typeof createModel>, marks: Map<string, number>): ModelDelta {
  const tables: ModelDelta['tables'] = {};
  for (const [name, table] of model.tables()) tables[name] = table.touchedSince(marks.get(name) ?? 0);
  return { tables, dense: model.toArtifact().dense };
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('model deltas', () => {
  it('round-trip through one buffer', () => {
    const delta: ModelDelta = {
      tables: { user: { ids: Int32Array.of(5, 9), vectors: Float32Array.of(1, 2, 3, 4) } },
      dense: { bias: { shape: [1], values: Float32Array.of(0.5) } },
    };
    const decoded = decodeDelta(encodeDelta(delta));
    expect(decoded).toEqual(delta);
    expect(deltaRows(decoded)).toBe(2);
  });

  it.each(['mf', 'deepfm'] as const)('bring a copy of a %s model to the trained one when applied', (kind) => {
    const trained = createModel(kind, spec);
    trained.trainStep(batch);
    const copy = deserializeModel(serializeModel(trained));
    const marks = new Map([...trained.tables()].map(([name, table]) => [name, table.mark()]));
    // New ids (user 7, item 50) get rows in the copy too.
    const next = { ...batch, userIds: Int32Array.of(1, 7, 3, 1), itemIds: Int32Array.of(10, 50, 30, 40) };
    trained.trainStep(next, { dense: 'sgd', sgdLearningRate: 0.01 });
    expect(copy.score(next)).not.toEqual(trained.score(next));
    applyDelta(copy, decodeDelta(encodeDelta(deltaSince(trained, marks))));
    const expected = trained.score(next);
    copy.score(next).forEach((score, i) => expect(score).toBeCloseTo(expected[i]!, 6));
    trained.dispose();
    copy.dispose();
  });

  it('refuses a delta for a table the model lacks', () => {
    const model = createModel('mf', spec);
    expect(() => applyDelta(model, { tables: { 'ctx:device': { ids: Int32Array.of(1), vectors: new Float32Array(33) } }, dense: {} })).toThrow(/no table ctx:device/);
  });
});

describe('trainStep dense options', () => {
  it('leaves dense parameters alone when frozen and moves them with sgd', () => {
    const model = createModel('deepfm', spec);
    const dense = () => Array.from(model.toArtifact().dense['deep.0.w']!.values.slice(0, 8));
    const before = dense();
    model.trainStep(batch, { dense: 'frozen' });
    expect(dense()).toEqual(before);
    model.trainStep(batch, { dense: 'sgd', sgdLearningRate: 0.1 });
    expect(dense()).not.toEqual(before);
    model.dispose();
  });
});
