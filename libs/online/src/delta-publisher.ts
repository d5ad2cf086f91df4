import type { Redis } from 'ioredis';
import { DeltaChannel, lineageKey, type DeltaChannelOptions } from '@recstream/deltas';
import { deltaRows } from '@recstream/models';
import type { Logger } from '@recstream/platform';
import type { ModelRole } from '@recstream/schemas';
import type { OnlineLearner } from './learner.js';
import type { LineageTracker } from './lineage-tracker.js';
import type { UpdaterMetrics } from './metrics.js';

/**
 * Publishes each role's touched rows since its last delta on the role's
 * lineage stream, for serving to apply. A role whose guardrail is tripped
 * publishes nothing; a failed publish keeps its rows for the next one.
 * Concurrent calls share one run.
 */
export class DeltaPublisher {
  private readonly channel: DeltaChannel;
  private running?: Promise<void>;
  private last = 0;

  constructor(
    redis: Redis,
    options: DeltaChannelOptions,
    private readonly lineages: LineageTracker,
    private readonly metrics: UpdaterMetrics,
    private readonly logger: Logger,
  ) {
    this.channel = new DeltaChannel(redis, options);
  }

  /** Milliseconds since the last publish began. */
  get sinceLast(): number {
    return Date.now() - this.last;
  }

  publish(learner: OnlineLearner, mayPublish: (role: ModelRole) => boolean): Promise<void> {
    this.running ??= this.run(learner, mayPublish).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Resolves once a publish in progress (if any) has finished. */
  async settled(): Promise<void> {
    await this.running;
  }

  private async run(learner: OnlineLearner, mayPublish: (role: ModelRole) => boolean): Promise<void> {
    this.last = Date.now();
    for (const [role, lineage] of this.lineages.entries()) {
      if (!mayPublish(role)) continue;
      const pending = learner.pendingDelta(role);
      if (!pending) continue;
      const started = performance.now();
      try {
        lineage.deltaId = await this.channel.publish(lineageKey(lineage.current), pending.delta);
        pending.confirm();
        this.metrics.rowsPublished.inc({ role }, deltaRows(pending.delta));
        this.metrics.publishSeconds.observe((performance.now() - started) / 1000);
      } catch (error) {
        this.logger.warn({ err: error, role }, 'publishing a delta failed; its rows go out with the next one');
      }
    }
  }
}
