/**
 * The offline side of the online updater's quality tests: a recall model
 * trained before the planted change of taste, and its HR@10 on clicks.
 */
import { createModel, createRandom, fit, hitAtK, rankOf, vocabularyId, type Interaction, type RecModel } from '@recstream/models';
import type { InteractionEvent } from '@recstream/schemas';
import type { TasteShiftWorld } from './taste-shift.js';

/** What the recall models of these tests read: ids alone. */
export const ID_SPEC = { contextFields: [], historyLength: 0 };

/** An MF recall model trained offline on `actions` of the world before its shift. */
export async function staticModel(world: TasteShiftWorld, actions: number): Promise<RecModel> {
  const clicks = world.events(actions, false).filter((e) => e.type === 'click');
  const interactions: Interaction[] = clicks.map((e) => ({ userId: vocabularyId(e.user_id), itemId: vocabularyId(e.item_id), timestamp: e.event_time }));
  const model = createModel('mf', ID_SPEC, { dim: 16, seed: 2 });
  await fit(model, interactions, ID_SPEC, { epochs: 8, batchSize: 512, seed: 2 });
  return model;
}

/** HR@10 of each click among 99 items of the catalogue drawn at random: the NCF protocol on the clicks. */
export function hitRate(model: RecModel, clicks: readonly InteractionEvent[], catalogue: readonly string[]): number {
  const random = createRandom(11);
  let hits = 0;
  for (const click of clicks) {
    const candidates = [click.item_id];
    while (candidates.length < 100) {
      const item = catalogue[random.int(catalogue.length)]!;
      if (!candidates.includes(item)) candidates.push(item);
    }
    const scores = model.score({
      size: candidates.length,
      userIds: new Int32Array(candidates.length).fill(vocabularyId(click.user_id)),
      itemIds: Int32Array.from(candidates, vocabularyId),
    });
    hits += hitAtK(rankOf(scores, 0), 10);
  }
  return hits / clicks.length;
}
