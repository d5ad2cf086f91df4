/**
 * 0-based rank of `scores[target]` among `scores`: how many candidates score
 * strictly higher, plus half of the ties so constant scorers get no credit
 * for the target's position.
 */
export function rankOf(scores: ArrayLike<number>, target: number): number {
  const score = scores[target]!;
  let higher = 0;
  let ties = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i === target) continue;
    if (scores[i]! > score) higher++;
    else if (scores[i] === score) ties++;
  }
  return higher + Math.floor(ties / 2);
}

/** 1 when the relevant item ranks in the top K. */
export function hitAtK(rank: number, k: number): number {
  return rank < k ? 1 : 0;
}

/** NDCG@K with one relevant item: 1 / log2(rank + 2) inside the top K. */
export function ndcgAtK(rank: number, k: number): number {
  return rank < k ? 1 / Math.log2(rank + 2) : 0;
}

/** Share of `relevant` items found in the first `k` of `ranked`. */
export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  if (relevant.size === 0) return Number.NaN;
  let found = 0;
  for (let i = 0; i < Math.min(k, ranked.length); i++) if (relevant.has(ranked[i]!)) found++;
  return found / relevant.size;
}

/** Share of the catalogue that appears in at least one recommended list. */
export function catalogueCoverage(lists: Iterable<ArrayLike<number>>, catalogueSize: number): number {
  const shown = new Set<number>();
  for (const list of lists) for (let i = 0; i < list.length; i++) shown.add(list[i]!);
  return catalogueSize === 0 ? 0 : shown.size / catalogueSize;
}
