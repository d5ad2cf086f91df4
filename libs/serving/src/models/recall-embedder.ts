import { NonRetriableError } from '@recstream/platform';
import { MfModel, TwoTowerModel, type RecModel } from '@recstream/models';

/** What recall needs from a model: item vectors for the index and a query vector per user. */
export interface RecallEmbedder {
  dim: number;
  /** Whether the model learned a vector for the item (unknown items would all be zeros). */
  knows(itemId: number): boolean;
  /** Whether the model learned a vector for the user. */
  knowsUser(userId: number): boolean;
  /** `ids.length * dim` floats. */
  itemVectors(ids: Int32Array): Float32Array;
  /** `history` as `Batch.history` for one sample (oldest first, -1 padded); ignored by models that read none. */
  userVector(userId: number, history: Int32Array): Float32Array;
}

/**
 * Recall embeddings of the models that have them: two-tower (its towers) and
 * MF, whose logit u.v + b_v is the inner product of [u, 1] and [v, b_v].
 */
export function recallEmbedder(model: RecModel): RecallEmbedder {
  if (model instanceof MfModel) return mfEmbedder(model);
  if (model instanceof TwoTowerModel) return twoTowerEmbedder(model);
  throw new NonRetriableError(`a ${model.kind} model cannot serve recall; register an mf or twotower model with role recall`);
}

function mfEmbedder(model: MfModel): RecallEmbedder {
  const items = model.tables().get('item')!;
  const users = model.tables().get('user')!;
  const dim = model.config.dim + 1;
  return {
    dim,
    knows: (id) => items.row(id, false) >= 0,
    knowsUser: (id) => users.row(id, false) >= 0,
    itemVectors(ids) {
      const out = new Float32Array(ids.length * dim);
      items.gather(ids, false, out, new Int32Array(ids.length));
      return out;
    },
    userVector(userId) {
      const out = new Float32Array(dim);
      users.gather(Int32Array.of(userId), false, out, new Int32Array(1));
      // The user's bias is the same for every item, so it cannot change the order; 1 picks up the item bias.
      out[dim - 1] = 1;
      return out;
    },
  };
}

function twoTowerEmbedder(model: TwoTowerModel): RecallEmbedder {
  const items = model.tables().get('item')!;
  const users = model.tables().get('user')!;
  const dim = model.config.towerLayers.at(-1) ?? model.config.embeddingDim;
  const historyLength = model.spec.historyLength;
  return {
    dim,
    knows: (id) => items.row(id, false) >= 0,
    knowsUser: (id) => users.row(id, false) >= 0,
    itemVectors: (ids) => model.itemVectors(ids),
    userVector: (userId, history) =>
      model.userVectors({
        size: 1,
        userIds: Int32Array.of(userId),
        itemIds: Int32Array.of(-1),
        history: historyLength > 0 ? history : undefined,
      }),
  };
}
