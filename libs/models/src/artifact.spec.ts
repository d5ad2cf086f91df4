import { beforeAll, describe, expect, it } from 'vitest';
import { decodeArtifact } from './artifact.js';
import { selectBackend } from './backend.js';
import type { FeatureSpec } from './batch.js';
import { MODEL_KINDS } from '@recstream/schemas';
import { createModel, deserializeModel, serializeModel } from './models/factory.js';
import { trainingBatches } from './training/training-batches.js';
import { plantedSequences } from '../testing/planted-data.js';

const spec: FeatureSpec = { contextFields: ['device'], historyLength: 4 };
const interactions = plantedSequences({ users: 30, interactionsPerUser: 8 }).map((i) => ({ ...i, context: [i.itemId % 3] }));
const batches = [...trainingBatches(interactions, spec, { batchSize: 64 })];

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe.each(MODEL_KINDS)('%s artifact', (kind) => {
  it('round-trips through one buffer and scores identically', () => {
    const model = createModel(kind, spec);
    for (const batch of batches.slice(0, 3)) model.trainStep(batch);
    const bytes = serializeModel(model);
    const restored = deserializeModel(Uint8Array.from(bytes));
    expect(restored.kind).toBe(kind);
    expect(restored.spec).toEqual(spec);
    const probe = batches.at(-1)!;
    const before = model.score(probe);
    expect(new Set(before).size).toBeGreaterThan(1);
    expect(restored.score(probe)).toEqual(before);
    model.dispose();
    restored.dispose();
  });
});

describe('decodeArtifact', () => {
  it('rejects a buffer that is not a model artifact', () => {
    expect(() => decodeArtifact(new Uint8Array(16))).toThrow(/bad magic/);
  });
});
