/**
 * Area under the ROC curve: the probability that a random positive scores
 * above a random negative (ties count half). NaN when a class is missing.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]!] === scores[order[start]!]) end++;
    // Tied scores share their average rank (1-based).
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]!]! > 0.5) {
        positives++;
        rankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Group AUC (Zhou et al. 2018, DIN): per-user AUC weighted by the user's
 * sample count, over users that have both classes.
 */
export function groupAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, groups: ArrayLike<number>): number {
  const members = new Map<number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const list = members.get(groups[i]!);
    if (list) list.push(i);
    else members.set(groups[i]!, [i]);
  }
  let weighted = 0;
  let weight = 0;
  for (const indices of members.values()) {
    const value = auc(
      indices.map((i) => scores[i]!),
      indices.map((i) => labels[i]!),
    );
    if (Number.isNaN(value)) continue;
    weighted += value * indices.length;
    weight += indices.length;
  }
  return weight === 0 ? Number.NaN : weighted / weight;
}

/** Mean binary log loss of probabilities, clipped so a confident mistake stays finite. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, epsilon = 1e-7): number {
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(Math.max(probabilities[i]!, epsilon), 1 - epsilon);
    sum -= labels[i]! > 0.5 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / Math.max(probabilities.length, 1);
}
