import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend.js';
import type { Batch, FeatureSpec } from './batch.js';
import { vocabularyId } from './encoding.js';
import { forgetUsers, isUserTable, withoutUsers } from './erasure.js';
import { MODEL_KINDS } from '@recstream/schemas';
import { createModel, deserializeModel, serializeModel } from './models/factory.js';

const spec: FeatureSpec = { contextFields: ['device'], historyLength: 3 };
const [alice, bob] = [vocabularyId('alice'), vocabularyId('bob')];
// User, item and context ids that never coincide, so a table holding a user id is keyed by users.
const batch: Batch = {
  size: 4,
  userIds: Int32Array.of(alice, bob, alice, bob),
  itemIds: Int32Array.of(10, 11, 12, 13),
  labels: Float32Array.of(1, 0, 0, 1),
  context: [Int32Array.of(0, 1, 2, 0)],
  history: Int32Array.of(-1, 11, 12, 13, 12, 10, -1, -1, 11, 10, 11, 12),
};
const scoring = (userId: number): Batch => ({ ...batch, labels: undefined, userIds: new Int32Array(batch.size).fill(userId) });

beforeAll(async () => {
  await selectBackend({ preference: ['wasm', 'cpu'] });
});

describe.each(MODEL_KINDS)('forgetUsers on %s', (kind) => {
  it('names exactly the tables keyed by user ids as user tables', () => {
    const model = createModel(kind, spec);
    model.trainStep(batch);
    const keyedByUsers = [...model.tables()].filter(([, table]) => table.row(alice, false) >= 0).map(([name]) => name);
    expect(keyedByUsers.length).toBeGreaterThan(0);
    expect([...model.tables().keys()].filter(isUserTable)).toEqual(keyedByUsers);
    model.dispose();
  });

  it('leaves no row of a forgotten user in the snapshot and keeps everybody else', () => {
    const model = createModel(kind, spec);
    model.trainStep(batch);
    const bobBefore = Array.from(model.score(scoring(bob)));
    const unknownUser = Array.from(model.score(scoring(vocabularyId('nobody'))));

    const userTables = [...model.tables().keys()].filter(isUserTable).length;
    expect(forgetUsers(model, ['alice', 'alice'])).toBe(userTables);
    expect(forgetUsers(model, ['alice'])).toBe(0);
    const artifact = model.toArtifact();
    const snapshot = deserializeModel(serializeModel(model));
    for (const [name, table] of Object.entries(artifact.tables)) {
      expect(Array.from(table.ids), name).not.toContain(alice);
      expect(snapshot.tables().get(name)!.row(alice, false), name).toBe(-1);
    }
    expect(Array.from(snapshot.score(scoring(bob)))).toEqual(bobBefore);
    // Alice now scores as somebody the model never saw.
    expect(Array.from(snapshot.score(scoring(alice)))).toEqual(unknownUser);
    model.dispose();
    snapshot.dispose();
  });
});

describe('withoutUsers', () => {
  const delta = {
    tables: {
      user: { ids: Int32Array.of(bob, alice, 7), vectors: Float32Array.of(1, 1, 2, 2, 3, 3) },
      item: { ids: Int32Array.of(alice), vectors: Float32Array.of(4, 4) },
    },
    dense: {},
  };

  it('drops erased users’ rows from user tables only, keeping the other rows in order', () => {
    const scrubbed = withoutUsers(delta, new Set([alice]));
    expect(Array.from(scrubbed.tables.user!.ids)).toEqual([bob, 7]);
    expect(Array.from(scrubbed.tables.user!.vectors)).toEqual([1, 1, 3, 3]);
    // An item may share the id's hash: item tables are not keyed by users.
    expect(scrubbed.tables.item).toBe(delta.tables.item);
    expect(Array.from(delta.tables.user.ids)).toEqual([bob, alice, 7]);
  });

  it('returns the delta itself when it holds no erased user', () => {
    expect(withoutUsers(delta, new Set([vocabularyId('nobody')]))).toBe(delta);
  });
});
