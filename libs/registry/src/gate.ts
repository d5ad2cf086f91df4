import type { ModelRole } from '@recstream/schemas';

/** How a candidate must compare with the production version to replace it. */
export interface PromotionGate {
  /** The metric both versions were evaluated on, on the same test set. */
  metric: string;
  /** Absolute improvement required, e.g. 0.005 for half a point of HR@10. */
  margin: number;
  higherIsBetter: boolean;
  /** The metric that counts the cases `metric` was computed on; a candidate evaluated on none is never promoted. */
  cases?: string;
}

export const DEFAULT_GATES = {
  recall: { metric: 'hr_at_10', margin: 0.005, higherIsBetter: true, cases: 'ncf_users' },
  ranking: { metric: 'auc', margin: 0.002, higherIsBetter: true, cases: 'test_samples' },
} as const satisfies Record<ModelRole, PromotionGate>;

export interface GateDecision {
  promoted: boolean;
  reason: string;
}

/**
 * Decides a promotion. A non-finite metric (either side's) or an evaluation
 * on no cases never wins: an empty or degenerate test set says nothing about
 * the model. With no incumbent the candidate wins; otherwise it must beat
 * the incumbent's value by the margin, in the gate's direction.
 */
export function decidePromotion(gate: PromotionGate, candidate: number, incumbent: number | undefined, cases?: number): GateDecision {
  if (!Number.isFinite(candidate)) return { promoted: false, reason: `candidate ${gate.metric} is ${candidate}: a broken evaluation is never promoted` };
  if (gate.cases !== undefined && !(Number(cases) > 0)) {
    return { promoted: false, reason: `candidate was evaluated on ${cases ?? 'an unknown number of'} cases (${gate.cases}): an empty evaluation is never promoted` };
  }
  if (incumbent === undefined) return { promoted: true, reason: 'no production version yet' };
  if (!Number.isFinite(incumbent)) return { promoted: false, reason: `production ${gate.metric} is ${incumbent} on this test set: the comparison is broken` };
  const gain = gate.higherIsBetter ? candidate - incumbent : incumbent - candidate;
  const summary = `${gate.metric} ${candidate.toFixed(4)} vs ${incumbent.toFixed(4)} (gain ${gain.toFixed(4)}, margin ${gate.margin})`;
  return gain >= gate.margin ? { promoted: true, reason: `beats production: ${summary}` } : { promoted: false, reason: `does not beat production: ${summary}` };
}
