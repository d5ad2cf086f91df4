import type { Logger } from '@recstream/platform';
import type { ModelRole } from '@recstream/schemas';
import type { GuardrailStatus } from './guardrail.js';
import type { UpdaterMetrics } from './metrics.js';

/**
 * Turns each role's guardrail status into metrics and into a log line when
 * it changes: an error when the online model falls behind its parent on the
 * holdout, a warning when it recovers.
 */
export class GuardrailReporter {
  private readonly tripped = new Set<ModelRole>();

  constructor(
    private readonly metrics: UpdaterMetrics,
    private readonly logger: Logger,
    private readonly margin: number,
  ) {}

  /** Reports `status` and says whether `role` may publish and be promoted (a role without a guardrail may). */
  holds(role: ModelRole, status: GuardrailStatus | undefined): boolean {
    if (!status) return true;
    this.metrics.holdoutAuc.set({ role, model: 'online' }, Number.isFinite(status.onlineAuc) ? status.onlineAuc : 0);
    this.metrics.holdoutAuc.set({ role, model: 'parent' }, Number.isFinite(status.parentAuc) ? status.parentAuc : 0);
    this.metrics.guardrailTripped.set({ role }, status.healthy ? 0 : 1);
    const details = { role, onlineAuc: status.onlineAuc, parentAuc: status.parentAuc, examples: status.examples, margin: this.margin };
    if (!status.healthy && !this.tripped.has(role)) {
      this.tripped.add(role);
      this.logger.error(details, 'guardrail tripped: the online model trails its parent on the holdout; publishing and promotion stop, consuming goes on');
    } else if (status.healthy && this.tripped.delete(role)) {
      this.logger.warn(details, 'guardrail recovered; publishing resumes with every row held back');
    }
    return status.healthy;
  }
}
