import { vocabularyId } from './encoding.js';
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
