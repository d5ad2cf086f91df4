import { DEFAULT_ITEM_VIEWS, DEFAULT_USER_VIEWS, userModelFeatures, type ItemViews, type UserViews } from '@recstream/features';
import { encodeRows, readsModelFeatures, type EncodableRow } from '@recstream/models';
import type { ModelFeatures } from '@recstream/schemas';
import type { ServedModel } from './models/served-model.js';
import type { Candidate } from './recall.js';

export interface RankingInput {
  userId: string;
  /** The user's views from the online store; undefined when they could not be read. */
  user?: UserViews;
  /** Each candidate's views, in candidate order; undefined when they could not be read. */
  items?: readonly ItemViews[];
  context: Record<string, unknown>;
  time: number;
  candidates: readonly Candidate[];
}

export interface RankingOutput {
  scores: Float32Array;
  /** The model features each candidate was scored with, when the model reads any: what serving logs on exposures. */
  features?: ModelFeatures[];
}

/**
 * Position bias: rankers train with the logged position as a context field
 * and score every candidate as if shown at the top, so position explains
 * clicks in training and no candidate is favoured by it in serving.
 */
export const SCORING_POSITION = 0;

/**
 * Scores candidates with the ranking model on rows built exactly as the
 * trainer builds them (libs/models' encodeRows), with model features
 * derived from the online store's views by the trainer's derivation; views
 * that could not be read are the views' defaults, as for an entity the
 * point-in-time join found nothing for. The user's side of the features is
 * derived once per request, and encodeRows encodes the fields every
 * candidate shares once.
 */
export function scoreCandidates(served: ServedModel, input: RankingInput): RankingOutput {
  const { spec } = served.model;
  const user = input.user ?? DEFAULT_USER_VIEWS;
  const context = { ...input.context, position: SCORING_POSITION };
  const withFeatures = readsModelFeatures(spec);
  const features = withFeatures ? userModelFeatures(user) : undefined;
  const rows = input.candidates.map(
    (candidate, i): EncodableRow => ({
      userId: input.userId,
      itemId: candidate.item.id,
      time: input.time,
      context,
      sequence: user.user_sequence.items,
      ...(features && { features: features(input.items?.[i] ?? DEFAULT_ITEM_VIEWS, input.time) }),
    }),
  );
  return { scores: served.model.score(encodeRows(spec, rows)), ...(withFeatures && { features: rows.map((row) => row.features!) }) };
}
