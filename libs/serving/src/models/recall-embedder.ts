import { DEFAULT_ITEM_VIEWS, DEFAULT_USER_VIEWS, modelFeatures, type UserViews } from '@recstream/features';
import { NonRetriableError } from '@recstream/platform';
import { MfModel, TwoTowerModel, encodeRows, type EncodableRow, type RecModel } from '@recstream/models';
import type { CatalogItem } from '../catalog.js';

/** Who recall searches for: the request's user, context and time, with the user's views when they could be read. */
export interface RecallQuery {
  userId: string;
  /** `vocabularyId(userId)`, the user's row id, computed once per request. */
  userVocabId: number;
  time: number;
  context: Record<string, unknown>;
  user?: UserViews;
}

/** What recall needs from a model: item vectors for the index and a query vector per user. */
export interface RecallEmbedder {
  dim: number;
  /** Whether the model has a vector for the item: a learned id row, or (two-tower with item fields) its catalogue attributes. */
  knows(item: CatalogItem): boolean;
  /** Whether the model learned a vector for the user. */
  knowsUser(userId: number): boolean;
  /** `items.length * dim` floats. */
  itemVectors(items: readonly CatalogItem[]): Float32Array;
  userVector(query: RecallQuery): Float32Array;
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
    knows: (item) => items.row(item.vocabId, false) >= 0,
    knowsUser: (id) => users.row(id, false) >= 0,
    itemVectors(catalogItems) {
      const out = new Float32Array(catalogItems.length * dim);
      items.gather(Int32Array.from(catalogItems, (item) => item.vocabId), false, out, new Int32Array(catalogItems.length));
      return out;
    },
    userVector(query) {
      const out = new Float32Array(dim);
      users.gather(Int32Array.of(query.userVocabId), false, out, new Int32Array(1));
      // The user's bias is the same for every item, so it cannot change the order; 1 picks up the item bias.
      out[dim - 1] = 1;
      return out;
    },
  };
}

/**
 * The two-tower model's towers on rows built as the trainer builds them:
 * the query row carries the user's views and the request context, and an
 * item's row its catalogue attributes, so an item the model never trained
 * on (no id row) is placed by its attributes.
 */
function twoTowerEmbedder(model: TwoTowerModel): RecallEmbedder {
  const items = model.tables().get('item')!;
  const users = model.tables().get('user')!;
  const dim = model.config.towerLayers.at(-1) ?? model.config.embeddingDim;
  return {
    dim,
    knows: (item) => model.readsItemFields || items.row(item.vocabId, false) >= 0,
    knowsUser: (id) => users.row(id, false) >= 0,
    itemVectors: (catalogItems) => model.itemVectors(encodeRows(model.spec, catalogItems.map(itemTowerRow))),
    userVector(query) {
      const user = query.user ?? DEFAULT_USER_VIEWS;
      const row: EncodableRow = {
        userId: query.userId,
        itemId: '',
        time: query.time,
        context: query.context,
        sequence: user.user_sequence.items,
        features: modelFeatures(user, DEFAULT_ITEM_VIEWS, query.time),
      };
      return model.userVectors(encodeRows(model.spec, [row]));
    },
  };
}

/** An item as the item tower reads it, an encodable row: the model features its catalogue attributes give (the two-tower spec reads no others). */
export function itemTowerRow(item: CatalogItem): EncodableRow {
  const attributes = { categories: item.categories, tags: item.tags, available: item.available, created_time: item.createdMs };
  return {
    userId: '',
    itemId: item.id,
    time: 0,
    context: {},
    sequence: [],
    features: modelFeatures(DEFAULT_USER_VIEWS, { item_stats: DEFAULT_ITEM_VIEWS.item_stats, item_attributes: attributes }, 0),
  };
}
