import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import type { Batch, FeatureSpec } from './batch.js';
import { addIncrement, applyDelta, decodeDelta, deltaIncrement, deltaRows, encodeDelta, type ModelDelta } from './delta.js';
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

  it('carry increments that add two copies\' learning up, without marking the added rows as updated', () => {
    const base = createModel('deepfm', spec);
    const copies = [deserializeModel(serializeModel(base)), deserializeModel(serializeModel(base))];
    const marks = copies.map((copy) => new Map([...copy.tables()].map(([name, table]) => [name, table.mark()])));
    // Item 10 is trained by both copies, item 50 (new) by the second only.
    copies[0]!.trainStep(batch, { dense: 'sgd', sgdLearningRate: 0.01 });
    copies[1]!.trainStep({ ...batch, userIds: Int32Array.of(5, 7, 6, 5), itemIds: Int32Array.of(10, 50, 30, 40) }, { dense: 'sgd', sgdLearningRate: 0.01 });
    const increments = copies.map((copy, i) => deltaIncrement(base, deltaSince(copy, marks[i]!)));
    const { dim } = base.tables().get('item')!;
    const expected = base.tables().get('item')!.rowsOf(Int32Array.of(10, 50));
    for (const increment of increments) {
      const { ids, vectors } = increment.tables.item!;
      ids.forEach((id, i) => {
        const at = [10, 50].indexOf(id) * dim;
        if (at >= 0) for (let k = 0; k < dim; k++) expected[at + k]! += vectors[i * dim + k]!;
      });
    }
    addIncrement(copies[0]!, decodeDelta(encodeDelta(increments[1]!)));
    addIncrement(copies[1]!, increments[0]!);
    for (const copy of copies) {
      const rows = copy.tables().get('item')!.rowsOf(Int32Array.of(10, 50));
      rows.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 6));
    }
    const dense = copies.map((copy) => copy.toArtifact().dense);
    for (const [name, { values }] of Object.entries(dense[0]!)) values.forEach((value, i) => expect(value).toBeCloseTo(dense[1]![name]!.values[i]!, 6));
    // Only what the first copy trained itself stays marked for its next delta: item 50 came from the other copy.
    expect([...copies[0]!.tables().get('item')!.touchedSince(marks[0]!.get('item')!).ids].sort()).toEqual([10, 20, 30, 40]);
    for (const model of [base, ...copies]) model.dispose();
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
