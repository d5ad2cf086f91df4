import { describe, expect, it } from 'vitest';
import { EMPTY_FEATURE_SPEC, type Batch } from '../batch.js';
import { EmbeddingTable } from '../sparse/embedding-table.js';
import { MfModel } from './mf.js';

const batchOf = (pairs: [number, number, number][]): Batch => ({
  size: pairs.length,
  userIds: Int32Array.from(pairs, ([user]) => user),
  itemIds: Int32Array.from(pairs, ([, item]) => item),
  labels: Float32Array.from(pairs, ([, , label]) => label),
});

describe('MfModel', () => {
  it('takes the same row-wise Adagrad step as the tables optimizer applied to the log-loss gradient', () => {
    const model = new MfModel({ dim: 8, l2: 0.01 }, EMPTY_FEATURE_SPEC);
    // Creates the rows and moves them off their initial values.
    model.trainStep(batchOf([[1, 10, 1], [2, 10, 0], [1, 11, 0]]));
    const before = new Map([...model.tables()].map(([name, table]) => [name, table.export()]));
    const optimizer = { type: 'rowwise-adagrad' as const, learningRate: model.config.sparseLearningRate, l2: 0.01 };
    const reference = new Map([...before].map(([name, data]) => [name, new EmbeddingTable({ dim: 9, optimizer }, structuredClone(data))]));

    model.trainStep(batchOf([[1, 11, 1]]));

    const users = reference.get('user')!;
    const items = reference.get('item')!;
    const u = users.row(1, false);
    const v = items.row(11, false);
    const uw = users.vectors().slice(u * 9, u * 9 + 9);
    const vw = items.vectors().slice(v * 9, v * 9 + 9);
    let logit = uw[8]! + vw[8]!;
    for (let k = 0; k < 8; k++) logit += uw[k]! * vw[k]!;
    const error = 1 / (1 + Math.exp(-logit)) - 1;
    const gradU = Float32Array.from({ length: 9 }, (_, k) => (k === 8 ? error : error * vw[k]!));
    const gradV = Float32Array.from({ length: 9 }, (_, k) => (k === 8 ? error : error * uw[k]!));
    users.advance();
    items.advance();
    users.updateRow(u, gradU, 0);
    items.updateRow(v, gradV, 0);

    for (const [name, table] of model.tables()) {
      const after = table.export();
      const expected = reference.get(name)!.export();
      expect(Array.from(after.weights).some((w, i) => w !== before.get(name)!.weights[i])).toBe(true);
      after.weights.forEach((w, i) => expect(w).toBeCloseTo(expected.weights[i]!, 6));
      after.state.forEach((s, i) => expect(s).toBeCloseTo(expected.state[i]!, 6));
      expect(Array.from(after.rowSteps)).toEqual(Array.from(expected.rowSteps));
    }
  });

  it('still trains through any other sparse optimizer', () => {
    const model = new MfModel({ dim: 4, sparseOptimizer: 'adam' }, EMPTY_FEATURE_SPEC);
    const batch = batchOf([[1, 10, 1], [1, 11, 0], [2, 11, 1], [2, 10, 0]]);
    const first = model.trainStep(batch);
    for (let step = 0; step < 200; step++) model.trainStep(batch);
    expect(model.trainStep(batch)).toBeLessThan(first / 2);
  });
});
