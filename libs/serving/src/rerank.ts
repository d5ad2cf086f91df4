import type { ItemFeatures } from '@recstream/features';
import type { CatalogItem } from './catalog.js';
import { sampleBeta, type Random } from './exploration.js';
import { descendingOrder } from './order.js';
import { isExploration, type Candidate, type RecallSource } from './recall.js';

export interface RerankOptions {
  /** MMR trade-off: 0 ranks by relevance alone, 1 by dissimilarity alone. */
  diversity: number;
  /** Bonus for a brand-new item, halving every `freshnessHalfLifeMs`. */
  freshnessWeight: number;
  freshnessHalfLifeMs: number;
  /** Bonus proportional to the item's normalized popularity. */
  popularityWeight: number;
  /** Chance a response gets an exploration slot. */
  explorationRate: number;
  /** Position (0-based) the exploration item takes. */
  explorationPosition: number;
}

export const DEFAULT_RERANK_OPTIONS: RerankOptions = {
  // Off unless an experiment variant asks for it: in the quality worlds it only cost expected CTR (docs/decisions/rerank-diversity-off.md).
  diversity: 0,
  freshnessWeight: 0.05,
  freshnessHalfLifeMs: 3 * 86_400_000,
  popularityWeight: 0.05,
  explorationRate: 0.2,
  explorationPosition: 2,
};


export interface Scored {
  candidate: Candidate;
  /** Model score, or the recall fusion score when no model ranked. */
  score: number;
  features?: ItemFeatures;
}

export interface Placed {
  itemId: string;
  score: number;
  sources: RecallSource[];
}

export interface RerankInput {
  scored: Scored[];
  k: number;
  now: number;
  /** The item's normalized popularity (0..1). */
  popularity: (item: CatalogItem) => number;
  /** Similarity of two candidates in [0, 1], for MMR. */
  similarity: (a: Candidate, b: Candidate) => number;
  random: Random;
}

/**
 * Turns ranked candidates into the list served: relevance adjusted for
 * freshness and popularity, greedy MMR for diversity (Carbonell & Goldstein
 * 1998), and with probability `explorationRate` one slot for an exploration
 * item chosen by Thompson sampling on its clicks over impressions.
 */
export function rerank(input: RerankInput, options: RerankOptions): Placed[] {
  const exploring: Scored[] = [];
  const regular: Scored[] = [];
  let maxScore = Number.EPSILON;
  for (const s of input.scored) {
    if (isExploration(s.candidate)) exploring.push(s);
    else {
      regular.push(s);
      if (s.score > maxScore) maxScore = s.score;
    }
  }
  const relevance = regular.map((s) => s.score / maxScore + adjustment(s, input, options));
  const placed = mmr(regular, relevance, input.k, input.similarity, options.diversity);
  if (exploring.length > 0 && input.random() < options.explorationRate) {
    const pick = thompson(exploring, input.random);
    const position = Math.min(options.explorationPosition, placed.length, input.k - 1);
    if (placed.length >= input.k) placed.pop();
    placed.splice(position, 0, { itemId: pick.candidate.item.id, score: pick.score, sources: pick.candidate.sources });
  }
  return placed;
}

function adjustment(s: Scored, input: RerankInput, options: RerankOptions): number {
  const created = s.features?.item_attributes.created_time ?? s.candidate.item.createdMs;
  const freshness = created === null ? 0 : 0.5 ** (Math.max(0, input.now - created) / options.freshnessHalfLifeMs);
  return options.freshnessWeight * freshness + options.popularityWeight * input.popularity(s.candidate.item);
}

/**
 * Greedy MMR, evaluated lazily. Similarities are in [0, 1], so a
 * candidate's MMR value never exceeds `(1 - diversity) * relevance` and only
 * falls as picks accumulate: each pick visits candidates in relevance order,
 * stops once that bound is below the best value found, and a visited
 * candidate is compared only with the picks made since its last visit. The
 * picks are those of the full greedy scan (ties to the earlier candidate),
 * with a fraction of its similarity calls, which dominated rerank's time
 * (docs/decisions/serving-request-path-cpu.md).
 */
function mmr(scored: Scored[], relevance: number[], k: number, similarity: RerankInput['similarity'], diversity: number): Placed[] {
  const count = Math.min(k, scored.length);
  const order = descendingOrder(relevance);
  const maxSimilarity = new Float64Array(scored.length);
  /** How many of the picks each candidate has been compared with. */
  const compared = new Int32Array(scored.length);
  const taken = new Uint8Array(scored.length);
  const picks: number[] = [];
  while (picks.length < count) {
    let best = -1;
    let bestValue = -Infinity;
    for (const i of order) {
      if (taken[i]) continue;
      if ((1 - diversity) * relevance[i]! < bestValue) break;
      if (diversity > 0) {
        for (let p = compared[i]!; p < picks.length; p++) {
          const s = similarity(scored[i]!.candidate, scored[picks[p]!]!.candidate);
          if (s > maxSimilarity[i]!) maxSimilarity[i] = s;
        }
        compared[i] = picks.length;
      }
      const value = (1 - diversity) * relevance[i]! - diversity * maxSimilarity[i]!;
      if (value > bestValue || (value === bestValue && i < best)) {
        best = i;
        bestValue = value;
      }
    }
    taken[best] = 1;
    picks.push(best);
  }
  return picks.map((i) => ({ itemId: scored[i]!.candidate.item.id, score: relevance[i]!, sources: scored[i]!.candidate.sources }));
}

function thompson(exploring: Scored[], random: Random): Scored {
  let best = exploring[0]!;
  let bestDraw = -1;
  for (const s of exploring) {
    const impressions = s.features?.item_stats.impressions['7d'] ?? 0;
    const clicks = Math.min(impressions, s.features?.item_stats.clicks['7d'] ?? 0);
    const draw = sampleBeta(1 + clicks, 1 + impressions - clicks, random);
    if (draw > bestDraw) [best, bestDraw] = [s, draw];
  }
  return best;
}
