/**
 * How good the served lists were, with the world's truth as the referee:
 * each served list's expected CTR beside the expected CTR of the reference
 * lists (random, most popular, logging policy, counting heuristic, best) on
 * the same request, and the share of the lift from random to best that the
 * served lists took.
 */
import { LoggedCounts, REFERENCE_LISTS, ReferenceLists, type ReferenceList, type SyntheticWorld } from '@recstream/synth';
import { ROUND_LIST_SIZE, type ServedList } from './pipeline.js';

/** A served list with its expected CTR and its references', all under the truth. */
export interface ScoredList {
  list: ServedList;
  expectedCtr: number;
  references: Record<ReferenceList, number>;
}

export type ReferenceCtrs = { [name in ReferenceList as `${name}_ctr`]: number };

export interface ListQuality extends ReferenceCtrs {
  lists: number;
  /** Lists served degraded (without features, ranking or recall), which the ranker's quality does not explain. */
  degraded: number;
  exposures: number;
  clicks: number;
  /** Measured: clicks over exposures. */
  ctr: number;
  /** Expected under the truth: the served lists' expected clicks over exposures. */
  expected_ctr: number;
  /** (expected_ctr - random_ctr) / (best_ctr - random_ctr): the share of the available lift the served lists took. */
  lift_share: number;
}

/** The world's reference lists, the popular and heuristic ones counted from the events it generated (what was ingested). */
export function referenceListsFor(world: SyntheticWorld): ReferenceLists {
  return new ReferenceLists(world, new LoggedCounts(world, world.interactionEvents()), { listSize: ROUND_LIST_SIZE, seed: world.options.seed });
}

/** Scores served lists in order; the random and logging draws follow that order, so the same lists score the same. */
export function scoreLists(references: ReferenceLists, lists: readonly ServedList[]): ScoredList[] {
  return lists.map((list) => ({ list, expectedCtr: references.expectedCtrOf(list.request, list.itemIds), references: references.expectedCtrs(list.request) }));
}

/** One request's paired comparison: the expected CTR of treatment's list minus control's, each list the served one or a counterfactual. */
export interface PairedDifference {
  userId: string;
  difference: number;
  /** Items in both lists: how far the variants' lists differ at all. */
  shared: number;
}

/** The paired differences of the served lists for which both variants' lists are known. */
export function pairedDifferences(references: ReferenceLists, lists: readonly ServedList[], treatment: string, control: string): PairedDifference[] {
  const listOf = (list: ServedList, variant: string) => (list.variant === variant ? list.itemIds : list.counterfactuals?.[variant]?.itemIds);
  return lists.flatMap((list) => {
    const [treated, controlled] = [listOf(list, treatment), listOf(list, control)];
    if (!treated || !controlled) return [];
    const difference = references.expectedCtrOf(list.request, treated) - references.expectedCtrOf(list.request, controlled);
    const inControl = new Set(controlled);
    return [{ userId: list.request.user.id, difference, shared: treated.filter((id) => inControl.has(id)).length }];
  });
}

/** The quality of a set of scored lists; the references are means over lists, as they all hold ROUND_LIST_SIZE items. */
export function listQuality(scored: readonly ScoredList[]): ListQuality {
  const exposures = scored.reduce((sum, s) => sum + s.list.itemIds.length, 0);
  const clicks = scored.reduce((sum, s) => sum + s.list.clicks, 0);
  const expected = scored.reduce((sum, s) => sum + s.expectedCtr * s.list.itemIds.length, 0);
  const mean = (name: ReferenceList) => scored.reduce((sum, s) => sum + s.references[name], 0) / Math.max(1, scored.length);
  const references = Object.fromEntries(REFERENCE_LISTS.map((name) => [`${name}_ctr`, mean(name)])) as ReferenceCtrs;
  const expectedCtr = expected / Math.max(1, exposures);
  const lift = references.best_ctr - references.random_ctr;
  return {
    lists: scored.length,
    degraded: scored.filter((s) => s.list.degraded).length,
    exposures,
    clicks,
    ctr: clicks / Math.max(1, exposures),
    expected_ctr: expectedCtr,
    ...references,
    lift_share: lift > 0 ? (expectedCtr - references.random_ctr) / lift : 0,
  };
}

/** Column headers and a table row of a quality, for printing beside each other. */
export const QUALITY_COLUMNS = ['CTR (clicks)', 'CTR (expected)', 'random', 'popular', 'logging', 'heuristic', 'best', 'lift share'];
export function qualityRow(q: ListQuality, digits = 4): string[] {
  return [q.ctr, q.expected_ctr, q.random_ctr, q.popular_ctr, q.logging_ctr, q.heuristic_ctr, q.best_ctr, q.lift_share].map((x) => x.toFixed(digits));
}
