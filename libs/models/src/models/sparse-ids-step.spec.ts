import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { Batch, FeatureSpec } from '../batch.js';
import { isFieldTable, type ModelKind } from '../model.js';
import { createModel } from './factory.js';

const spec: FeatureSpec = { contextFields: ['device', 'surface'], historyLength: 2 };
const batch: Batch = {
  size: 4,
  userIds: Int32Array.of(1, 2, 1, 3),
  itemIds: Int32Array.of(10, 11, 12, 10),
  labels: Float32Array.of(1, 0, 0, 1),
  context: [Int32Array.of(0, 1, 0, 2), Int32Array.of(5, 5, 6, 6)],
  history: Int32Array.of(-1, 11, 12, 10, -1, -1, 11, 12),
};

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe.each(['deepfm', 'din'] as ModelKind[])('%s trained with sparse: ids', (kind) => {
  it('moves user and item rows and leaves the shared field tables as they were', () => {
    const model = createModel(kind, spec);
    model.trainStep(batch, { dense: 'frozen' }); // creates every row
    const before = new Map([...model.tables()].map(([name, table]) => [name, Float32Array.from(table.vectors())]));
    model.trainStep(batch, { dense: 'frozen', sparse: 'ids' });
    const moved = (name: string) => model.tables().get(name)!.vectors().some((value, i) => value !== before.get(name)![i]);
    const names = [...model.tables().keys()];
    expect(names.filter(isFieldTable).length).toBeGreaterThan(0);
    expect(names.filter((name) => isFieldTable(name) && moved(name))).toEqual([]);
    expect(names.filter((name) => !isFieldTable(name) && moved(name)).sort()).toEqual(names.filter((name) => !isFieldTable(name)).sort());
  });
});
