import { vocabularyId } from './encoding.js';
import type { ModelDelta } from './delta.js';
import type { RecModel } from './model.js';

/**
 * Whether a model's sparse table is keyed by user ids. Every model names
 * those tables `user`, `user.<part>` or `<part>_user` (`erasure.spec.ts`
 * checks this for every model kind, so a new model cannot break it silently).
 */
export function isUserTable(name: string): boolean {
  return name === 'user' || name.startsWith('user.') || name.endsWith('_user');
}

/**
 * Removes the embedding rows of `userIds` (our string ids, mapped with
 * `vocabularyId` as the trainer and serving map them) from every user table
 * of `model`, in place, before a snapshot is serialized: erased users must
 * not come back with the next model version. Returns the rows removed.
 */
export function forgetUsers(model: RecModel, userIds: Iterable<string>): number {
  const ids = [...new Set(Array.from(userIds, vocabularyId))];
  let removed = 0;
  for (const [name, table] of model.tables()) {
    if (!isUserTable(name)) continue;
    for (const id of ids) if (table.forget(id)) removed++;
  }
  return removed;
}

/**
 * `delta` without the rows of the users in `erased` (vocabulary ids): a
 * delta published before the updater learned of an erasure must not bring
 * the user back to a model that has forgotten them. Returns `delta` itself
 * when it holds none of them.
 */
export function withoutUsers(delta: ModelDelta, erased: ReadonlySet<number>): ModelDelta {
  if (erased.size === 0) return delta;
  let tables: ModelDelta['tables'] | undefined;
  for (const [name, rows] of Object.entries(delta.tables)) {
    if (!isUserTable(name) || !rows.ids.some((id) => erased.has(id))) continue;
    const dim = rows.vectors.length / rows.ids.length;
    const keep = [...rows.ids.keys()].filter((i) => !erased.has(rows.ids[i]!));
    const vectors = new Float32Array(keep.length * dim);
    keep.forEach((i, k) => vectors.set(rows.vectors.subarray(i * dim, (i + 1) * dim), k * dim));
    tables ??= { ...delta.tables };
    tables[name] = { ids: Int32Array.from(keep, (i) => rows.ids[i]!), vectors };
  }
  return tables ? { ...delta, tables } : delta;
}
