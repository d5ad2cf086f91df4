import { DeltaChannel, lineageKey, type DeltaChannelOptions } from '@recstream/deltas';
import { deltaRows } from '@recstream/models';
import { CoalescedRun, type Logger, type RedisClient } from '@recstream/platform';
import type { ModelRole } from '@recstream/schemas';
import type { OnlineLearner } from './learner.js';
import type { LineageTracker } from './lineage-tracker.js';
import type { UpdaterMetrics } from './metrics.js';
import type { PeerExchange } from './peer-exchange.js';

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
  /** With `followPeers`: each publish first shares the increments with the other instances, whatever the guardrail says (it holds back serving, not them). */
  peers?: PeerExchange;
}

export class DeltaPublisher {
  private readonly channel: DeltaChannel;
  private readonly runs = new CoalescedRun(() => this.exclusive(() => this.run()));
  /** The publish or `exclusive` task running now, which the next one waits for. */
  private queue: Promise<unknown> = Promise.resolve();
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

  /** Runs `task` once no publish is running, holding publishes back until it ends: a snapshot's cut is the only one then. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The id of each role's latest delta on its lineage's stream (from any instance); a role whose stream is empty is left out. */
  async latestIds(): Promise<Partial<Record<ModelRole, string>>> {
    const ids: Partial<Record<ModelRole, string>> = {};
    for (const [role, lineage] of this.lineages.entries()) {
      const id = await this.channel.lastId(lineageKey(lineage.current));
      if (id) ids[role] = id;
    }
    return ids;
  }

  private async run(): Promise<void> {
    const learner = this.source.learner();
    this.last = Date.now();
    const pending = [...this.lineages.entries()].filter(([role]) => this.source.mayPublish(role)).map(([role, lineage]) => ({ role, lineage, delta: learner.pendingDelta(role) }));
    // Cut together with the deltas and shared before serving gets them: an instance's snapshot that counts a delta as included has taken in its increments (see OnlineUpdater).
    const sharing = this.source.peers?.share();
    try {
      await sharing;
    } catch (error) {
      this.logger.warn({ err: error }, 'sharing increments with the other instances failed; the next publish carries them and these rows');
      return;
    }
    for (const { role, lineage, delta: pendingDelta } of pending) {
      if (!pendingDelta) continue;
      const started = performance.now();
      try {
        lineage.deltaId = await this.channel.publish(lineageKey(lineage.current), pendingDelta.delta);
        pendingDelta.confirm();
        this.metrics.rowsPublished.inc({ role }, deltaRows(pendingDelta.delta));
        this.metrics.publishSeconds.observe((performance.now() - started) / 1000);
      } catch (error) {
        this.logger.warn({ err: error, role }, 'publishing a delta failed; its rows go out with the next one');
      }
    }
  }
}
