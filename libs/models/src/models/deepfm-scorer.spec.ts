import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { Batch, FeatureSpec } from '../batch.js';
import { applyDelta } from '../delta.js';
import { createRandom } from '../random.js';
import { DeepFmModel } from './deepfm.js';
import { TfModel } from './tf-model.js';

const spec: FeatureSpec = { contextFields: ['device', 'hour', 'item_category'], historyLength: 0 };
const random = createRandom(5);

/** A batch like serving's: one user, many items, shared context, some ids the model never saw (-1 or unseen). */
function batch(size: number, labels = false): Batch {
  const ids = (n: number) => Int32Array.from({ length: size }, () => (random.next() < 0.05 ? -1 : Math.floor(random.next() * n)));
  return {
    size,
    userIds: new Int32Array(size).fill(Math.floor(random.next() * 4)),
    itemIds: ids(300),
    context: [new Int32Array(size).fill(1), ids(24), ids(30)],
    ...(labels && { labels: Float32Array.from({ length: size }, () => (random.next() < 0.3 ? 1 : 0)) }),
  };
}

/** The tfjs forward pass the scorer replaces. */
const tfjsScores = (model: DeepFmModel, input: Batch) => TfModel.prototype.score.call(model, input);

function expectSameScores(model: DeepFmModel, input: Batch): void {
  const fast = model.score(input);
  const reference = tfjsScores(model, input);
  expect(fast.length).toBe(reference.length);
  for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(reference[i]!, 5);
}

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe('DeepFmScorer', () => {
  it('scores as the tfjs forward pass does, and follows training, deltas, dense updates and erasure', () => {
    const model = new DeepFmModel({ seed: 3 }, spec);
    for (let step = 0; step < 30; step++) model.trainStep(batch(128, true));
    const scored = batch(150);
    expectSameScores(model, scored);
    const before = model.score(scored);

    model.trainStep(batch(128, true));
    expectSameScores(model, scored);
    expect(model.score(scored)).not.toEqual(before);

    const item = model.tables().get('item')!;
    const itemId = scored.itemIds.find((id) => id >= 0)!;
    applyDelta(model, { tables: { item: { ids: Int32Array.of(itemId), vectors: new Float32Array(item.dim).fill(0.5) } }, dense: {} });
    expectSameScores(model, scored);

    const out = model.toArtifact().dense['deep_out.w']!;
    model.assignDense({ 'deep_out.w': { shape: out.shape, values: out.values.map((value) => value * 2) } });
    expectSameScores(model, scored);

    expect(model.tables().get('user')!.forget(scored.userIds[0]!)).toBe(true);
    expectSameScores(model, scored);
    model.dispose();
  });

  it('scores each row of a batch exactly as alone, where the fields all rows share are summed once, whatever the batch size', () => {
    const model = new DeepFmModel({ seed: 6 }, spec);
    for (let step = 0; step < 20; step++) model.trainStep(batch(128, true));
    const scored = batch(150);
    const together = model.score(scored);
    for (let i = 0; i < scored.size; i++) {
      const row = (column: Int32Array) => column.subarray(i, i + 1);
      const alone = model.score({ size: 1, userIds: row(scored.userIds), itemIds: row(scored.itemIds), context: scored.context!.map(row) });
      expect(alone[0]).toBe(together[i]);
    }
    // Batches of other sizes, with rows left over from the layers' four-row blocks, after the scratch held 150 rows.
    for (const size of [7, 150, 3]) {
      const part = (column: Int32Array) => column.subarray(0, size);
      const first = model.score({ size, userIds: part(scored.userIds), itemIds: part(scored.itemIds), context: scored.context!.map(part) });
      expect([...first]).toEqual([...together.subarray(0, size)]);
    }
    model.dispose();
  });

  it('scores a model without hidden layers', () => {
    const model = new DeepFmModel({ seed: 4, deepLayers: [] }, spec);
    for (let step = 0; step < 10; step++) model.trainStep(batch(64, true));
    expectSameScores(model, batch(40));
    model.dispose();
  });
});
