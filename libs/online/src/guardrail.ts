import { auc } from '@recstream/models';

export interface GuardrailOptions {
  /** The rolling AUC covers this many of the latest holdout examples. */
  window: number;
  /** Holdout examples needed before the guardrail judges at all. */
  minExamples: number;
  /** How far the online model's holdout AUC may fall below the parent's before publishing stops. */
  margin: number;
}

export const DEFAULT_GUARDRAIL_OPTIONS: GuardrailOptions = { window: 5_000, minExamples: 500, margin: 0.02 };

export interface GuardrailStatus {
  /** Rolling AUC of the online model and of the parent version on the same holdout examples; NaN until both labels are seen. */
  onlineAuc: number;
  parentAuc: number;
  examples: number;
  /** False once the online model trails the parent by more than the margin. */
  healthy: boolean;
}

/**
 * Compares the online model with its parent version on a held-back slice of
 * the stream (examples the online model never trains on), scored by both as
 * they arrive: a rolling AUC over the latest `window` examples each.
 */
export class Guardrail {
  private readonly online: Float64Array;
  private readonly parent: Float64Array;
  private readonly labels: Uint8Array;
  private next = 0;
  private count = 0;

  constructor(private readonly options: GuardrailOptions) {
    this.online = new Float64Array(options.window);
    this.parent = new Float64Array(options.window);
    this.labels = new Uint8Array(options.window);
  }

  record(online: ArrayLike<number>, parent: ArrayLike<number>, labels: ArrayLike<number>): void {
    for (let i = 0; i < labels.length; i++) {
      this.online[this.next] = online[i]!;
      this.parent[this.next] = parent[i]!;
      this.labels[this.next] = labels[i]! > 0.5 ? 1 : 0;
      this.next = (this.next + 1) % this.options.window;
      this.count = Math.min(this.count + 1, this.options.window);
    }
  }

  status(): GuardrailStatus {
    const labels = this.labels.subarray(0, this.count);
    const onlineAuc = auc(this.online.subarray(0, this.count), labels);
    const parentAuc = auc(this.parent.subarray(0, this.count), labels);
    const judged = this.count >= this.options.minExamples && Number.isFinite(onlineAuc) && Number.isFinite(parentAuc);
    return { onlineAuc, parentAuc, examples: this.count, healthy: !judged || parentAuc - onlineAuc <= this.options.margin };
  }
}
