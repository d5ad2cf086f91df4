import type { Catalog, CatalogItem } from './catalog.js';
import type { ServedRecall } from './models/served-model.js';
import type { ScoredItem } from './popularity.js';
import { descendingOrder } from './order.js';

export type RecallSource = 'ann' | 'popular' | 'trending' | 'covisit' | 'exploration';

export interface Candidate {
  item: CatalogItem;
  /** Every source that proposed the item, strongest first. */
  sources: RecallSource[];
  /** Reciprocal-rank fusion over the sources: the order when no ranking model is available. */
  fusedScore: number;
  /** Position in the ANN results, when the recall model proposed it. */
  annRank?: number;
}

export interface RecallOptions {
  /** Neighbours asked from the ANN index. */
  annCandidates: number;
  /** Items taken from each rule-based list (popular, contextual popular, trending); see recall-lists.ts. */
  ruleCandidates: number;
  /** Exploration-pool items added so the exploration slot has candidates with features. */
  explorationCandidates: number;
  /**
   * The ANN's best this many reach the ranker whatever the fusion says.
   * Fusion favours items several lists propose, so the popular lists alone
   * can fill the shortlist; then a candidate only the recall model knows
   * about (an item the online updater just taught it) is never ranked.
   */
  annReserved: number;
}

export const DEFAULT_RECALL_OPTIONS: RecallOptions = { annCandidates: 200, ruleCandidates: 100, explorationCandidates: 20, annReserved: 20 };

/** A candidate only the exploration pool proposed: it competes for the exploration slot, not on relevance. */
export const isExploration = (candidate: Candidate) => candidate.sources.length === 1 && candidate.sources[0] === 'exploration';

/** Rank offset of reciprocal-rank fusion (Cormack et al. 2009). */
const RRF_K = 60;

/**
 * The popular and trending lists of one context, fused once per refresh:
 * each item with its rule sources and their reciprocal-rank sum, in the
 * order the lists name them. Every request of the context shares these
 * candidates, so nothing may change them.
 */
export interface RuleCandidates {
  candidates: readonly Candidate[];
  ids: ReadonlySet<string>;
}

/** An item of a rule-based list and its rank there; items the catalogue lacks are left out but keep their ranks counted. */
export interface RankedItem {
  item: CatalogItem;
  rank: number;
}

/** Fuses the popular lists (most specific first) and the trending list into rule candidates. */
export function fuseRules(popular: readonly (readonly RankedItem[])[], trending: readonly RankedItem[]): RuleCandidates {
  const fused = new Map<string, Candidate>();
  for (const list of popular) for (const { item, rank } of list) propose(fused, item, 'popular', rank);
  for (const { item, rank } of trending) propose(fused, item, 'trending', rank);
  return { candidates: [...fused.values()], ids: new Set(fused.keys()) };
}

/**
 * Adds one source's proposal of `item` at `rank` to `fused`: a new candidate
 * if `admit` lets it in (checked once per item: one already there was
 * admitted), else one more source and fusion term on the candidate there.
 */
function propose(fused: Map<string, Candidate>, item: CatalogItem, source: RecallSource, rank: number, admit?: (item: CatalogItem) => boolean): Candidate | undefined {
  const existing = fused.get(item.id);
  if (!existing) {
    if (admit && !admit(item)) return undefined;
    const candidate: Candidate = { item, sources: [source], fusedScore: 1 / (RRF_K + rank), annRank: undefined };
    fused.set(item.id, candidate);
    return candidate;
  }
  if (!existing.sources.includes(source)) existing.sources.push(source);
  existing.fusedScore += 1 / (RRF_K + rank);
  return existing;
}

export interface RecallInput {
  catalog: Catalog;
  /** The ANN results, as the recall model's labels. */
  ann?: { served: ServedRecall; labels: number[] };
  /** The request context's popular and trending lists, fused (`fuseRules`). */
  rules: RuleCandidates;
  covisited: ScoredItem[];
  exploration: readonly CatalogItem[];
  /** False for items that must not be shown (consumed, excluded, unavailable, filtered out). */
  allowed: (item: CatalogItem) => boolean;
}

/**
 * Merges every source into one candidate set, each item once with all the
 * sources that proposed it: the ANN's and co-visitation's first, then the
 * rules'. A rule candidate no other source proposed is passed on as it is,
 * shared with other requests, rather than copied.
 */
export function mergeCandidates(input: RecallInput, options: RecallOptions): Candidate[] {
  const merged = new Map<string, Candidate>();
  const add = (item: CatalogItem | undefined, source: RecallSource, rank: number) => (item ? propose(merged, item, source, rank, input.allowed) : undefined);
  if (input.ann) {
    const { items } = input.ann.served;
    input.ann.labels.forEach((label, rank) => {
      const candidate = add(items[label], 'ann', rank);
      if (candidate) candidate.annRank = rank;
    });
  }
  input.covisited.forEach((scored, rank) => add(input.catalog.get(scored.id), 'covisit', rank));
  const candidates: Candidate[] = [...merged.values()];
  for (const rule of input.rules.candidates) {
    const existing = merged.get(rule.item.id);
    if (!existing) {
      if (input.allowed(rule.item)) candidates.push(rule);
      continue;
    }
    for (const source of rule.sources) if (!existing.sources.includes(source)) existing.sources.push(source);
    existing.fusedScore += rule.fusedScore;
  }
  let explored = 0;
  for (const item of input.exploration) {
    if (explored >= options.explorationCandidates) break;
    if (merged.has(item.id) || input.rules.ids.has(item.id) || !input.allowed(item)) continue;
    const candidate: Candidate = { item, sources: ['exploration'], fusedScore: 0, annRank: undefined };
    merged.set(item.id, candidate);
    candidates.push(candidate);
    explored++;
  }
  return candidates;
}

/**
 * The candidates the ranker scores: the ANN's best `annReserved`, the rest
 * of the best `size` by fusion, and every exploration candidate (they have
 * no fusion score and compete only for their slot).
 */
export function shortlist(candidates: readonly Candidate[], size: number, annReserved: number): Candidate[] {
  const exploring: Candidate[] = [];
  const recalled: Candidate[] = [];
  for (const candidate of candidates) (isExploration(candidate) ? exploring : recalled).push(candidate);
  const fusion = new Float64Array(recalled.length);
  recalled.forEach((candidate, i) => (fusion[i] = candidate.fusedScore));
  const byFusion: Candidate[] = [];
  for (const i of descendingOrder(fusion)) byFusion.push(recalled[i]!);
  const reserved = (c: Candidate) => c.annRank !== undefined && c.annRank < annReserved;
  let reservedLeft = 0;
  for (const candidate of byFusion) if (reserved(candidate)) reservedLeft++;
  reservedLeft = Math.min(reservedLeft, size);
  let othersLeft = size - reservedLeft;
  const chosen: Candidate[] = [];
  // In fusion order: every reserved candidate (up to `size`), and the best of the others in the slots left.
  for (const candidate of byFusion) {
    if (reserved(candidate)) {
      if (reservedLeft === 0) continue;
      reservedLeft--;
    } else {
      if (othersLeft === 0) continue;
      othersLeft--;
    }
    chosen.push(candidate);
  }
  for (const candidate of exploring) chosen.push(candidate);
  return chosen;
}
