import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.js';
import type { Batch, FeatureSpec } from '../batch.js';
import { createRandom } from '../random.js';
import { createModel } from './factory.js';
import type { TfModel } from './tf-model.js';
import type { CommonConfig, ModelKind } from '../model.js';

const spec: FeatureSpec = { contextFields: ['device'], historyLength: 3 };
// Repeated users, items and history entries, so the check covers rows gathered more than once.
const batch: Batch = {
  size: 6,
  userIds: Int32Array.of(1, 1, 2, 3, 2, 4),
  itemIds: Int32Array.of(10, 11, 10, 12, 13, 11),
  labels: Float32Array.of(1, 0, 1, 0, 0, 1),
  context: [Int32Array.of(0, 1, 0, 2, 1, 0)],
  history: Int32Array.of(-1, 11, 12, 13, 12, 10, -1, -1, 11, 10, 11, 12, 12, 13, 10, -1, -1, -1),
};
// Small enough to stay clear of ReLU kinks, large enough for float32 loss precision.
// Small enough to stay clear of ReLU kinks, large enough for float32 loss precision.
const EPSILON = 1e-3;

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe.each(['neumf', 'twotower', 'deepfm', 'din', 'dien'] as ModelKind[])('%s sparse gradients', (kind) => {
  it('match central finite differences of the loss for every table', () => {
    const model = createModel(kind, spec) as TfModel<CommonConfig>;
    model.sparseGradients(batch); // creates the rows
    // Larger weights than the initialisation, so gradients stand well above float32 noise.
    const random = createRandom(3);
    for (const table of model.tables().values()) {
      const weights = table.vectors();
      for (let i = 0; i < weights.length; i++) weights[i] = 0.5 * random.normal();
    }
    const { lookups } = model.sparseGradients(batch);
    let checked = 0;
    for (const lookup of lookups) {
      const table = model.tables().get(lookup.table)!;
      const row = lookup.rows.find((r) => r >= 0)!;
      for (let k = 0; k < Math.min(table.dim, 2); k++) {
        // The table gradient of a row sums every position, in every lookup of the table, that gathered it.
        let analytic = 0;
        for (const other of lookups.filter((l) => l.table === lookup.table)) {
          other.rows.forEach((r, i) => {
            if (r === row) analytic += other.grads[i * table.dim + k]!;
          });
        }
        const weights = table.vectors();
        const at = table.offsetOf(row) + k;
        const original = weights[at]!;
        weights[at] = original + EPSILON;
        const up = model.loss(batch);
        weights[at] = original - EPSILON;
        const down = model.loss(batch);
        weights[at] = original;
        const numeric = (up - down) / (2 * EPSILON);
        expect(Math.abs(numeric - analytic), `${lookup.table}[${row}][${k}]`).toBeLessThan(2e-4 + 0.01 * Math.abs(analytic));
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    model.dispose();
  });
});
