import { DeltaChannel, lineageKey, type DeltaChannelOptions } from '@recstream/deltas';
import { deltaRows } from '@recstream/models';
import { CoalescedRun, type Logger, type RedisClient } from '@recstream/platform';
import type { ModelRole } from '@recstream/schemas';
import type { OnlineLearner } from './learner.js';
import type { LineageTracker } from './lineage-tracker.js';
import type { UpdaterMetrics } from './metrics.js';

/**
 * Publishes each role's touched rows since its last delta on the role's
 * lineage stream, for serving to apply. A role whose guardrail is tripped
 * publishes nothing; a failed publish keeps its rows for the next one.
 * A call during a publish gets one more after it, so what was trained
 * before the call is published when it resolves.
 */
/** Where a publisher's deltas come from, fixed for an updater's life. */
export interface DeltaSource {
  /** The learner whose pending deltas go out; a function, as the updater creates it when it starts. */
  learner: () => OnlineLearner;
  /** Whether `role` may publish now: its guardrail holds. */
  mayPublish: (role: ModelRole) => boolean;
}

export class DeltaPublisher {
  private readonly channel: DeltaChannel;
  private readonly runs = new CoalescedRun(() => this.run());
  private last = 0;

  constructor(
    redis: RedisClient,
    options: DeltaChannelOptions,
    private readonly lineages: LineageTracker,
    private readonly source: DeltaSource,
    private readonly metrics: UpdaterMetrics,
    private readonly logger: Logger,
  ) {
    this.channel = new DeltaChannel(redis, options);
  }

  /** Milliseconds since the last publish began. */
  get sinceLast(): number {
    return Date.now() - this.last;
  }

  publish(): Promise<void> {
    return this.runs.run();
  }

  /** Resolves once a publish in progress (if any) has finished. */
  settled(): Promise<void> {
    return this.runs.settled();
  }

  private async run(): Promise<void> {
    const learner = this.source.learner();
    this.last = Date.now();
    for (const [role, lineage] of this.lineages.entries()) {
      if (!this.source.mayPublish(role)) continue;
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
