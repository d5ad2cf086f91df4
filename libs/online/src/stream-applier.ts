import type { KafkaMessage } from 'kafkajs';
import type { Offsets } from '@recstream/deltas';
import type { InteractionEvent } from '@recstream/schemas';
import { decodeMessage, interactionMessages, type DecodeOptions } from '@recstream/streams';
import type { ExampleBuilder } from './examples/example-builder.js';
import type { OnlineLearner } from './learner.js';
import type { UpdaterMetrics } from './metrics.js';
import type { Coverage } from './peer-log.js';

/**
 * Applies the interaction stream to the example builder and the learner,
 * exactly once: it keeps the next offset to apply per partition (the truth
 * a restart resumes from, never the group's commits), skips what it has
 * applied and every event of an erased user, and counts what it did.
 */
export class StreamApplier {
  /** Next offset to apply, per partition: the events before it are in this copy's model (trained here, or taken in from a peer). */
  private readonly positions = new Map<number, string>();
  /** Per partition trained on since the last cut (`cut`), the offset that training started at. */
  private readonly cutFrom = new Map<number, string>();
  /** Every user id ever erased: their events are skipped. Kept in memory, never in a snapshot's state. */
  readonly erased = new Set<string>();
  /** When the learner's oldest untrained example arrived; undefined when none waits. */
  private pendingSince?: number;
  private readonly decoding: DecodeOptions<InteractionEvent>;

  constructor(
    readonly builder: ExampleBuilder,
    private readonly learner: OnlineLearner,
    private readonly metrics: UpdaterMetrics,
    maxFutureSkewMs: number,
    resumeFrom: Offsets = {},
  ) {
    this.decoding = interactionMessages(maxFutureSkewMs);
    for (const [partition, offset] of Object.entries(resumeFrom)) this.positions.set(Number(partition), offset);
  }

  position(partition: number): string | undefined {
    return this.positions.get(partition);
  }

  /** The positions as a snapshot records them. */
  offsets(): Offsets {
    return Object.fromEntries([...this.positions].map(([partition, offset]) => [String(partition), offset]));
  }

  /** Skips every later event of these users and drops what the example builder holds of them. */
  forget(userIds: ReadonlySet<string>): void {
    for (const userId of userIds) this.erased.add(userId);
    this.builder.forget(userIds);
  }

  /**
   * The offsets trained on here since the last confirmed cut; `confirm()`
   * once its increments are shared, and the next cut starts where it ends.
   */
  cut(): { covers: Coverage; confirm(): void } {
    const covers: Coverage = {};
    for (const [partition, from] of this.cutFrom) covers[partition] = [from, this.positions.get(partition)!];
    return {
      covers,
      confirm: () => {
        for (const [partition, [, to]] of Object.entries(covers)) {
          if (this.positions.get(Number(partition)) === to) this.cutFrom.delete(Number(partition));
          else this.cutFrom.set(Number(partition), to);
        }
      },
    };
  }

  /**
   * Whether another copy's increments covering `covers` may be taken in:
   * not when they learned from events this copy has in its model already
   * (its own replay after a restart, or a partition two instances read
   * during a rebalance). If so, the positions move past them, so this copy
   * does not train on those events again should their partitions come to it.
   */
  cover(covers: Coverage): boolean {
    const ranges = Object.entries(covers).map(([partition, [from, to]]) => ({ partition: Number(partition), from: BigInt(from), to }));
    if (ranges.some(({ partition, from }) => from < BigInt(this.positions.get(partition) ?? from))) return false;
    for (const { partition, to } of ranges) this.positions.set(partition, to);
    return true;
  }

  /** Applies messages in offset order, skipping any before the partition's position (already applied). */
  apply(partition: number, messages: readonly KafkaMessage[]): void {
    const { builder, learner } = this;
    const examplesBefore = learner.examples;
    const steps = this.steps();
    let built = 0;
    let applied = 0;
    const skipped = { invalid: 0, future_dated: 0, erased: 0 };
    for (const message of messages) {
      const position = this.positions.get(partition);
      if (position !== undefined && BigInt(message.offset) < BigInt(position)) continue;
      if (!this.cutFrom.has(partition)) this.cutFrom.set(partition, message.offset);
      const decoded = decodeMessage(message, this.decoding);
      if ('events' in decoded) {
        for (const event of decoded.events) {
          if (this.erased.has(event.user_id)) {
            skipped.erased++;
            continue;
          }
          const examples = builder.accept(partition, event);
          built += examples.length;
          learner.learn(examples);
          applied++;
        }
      } else skipped[decoded.refused]++;
      this.positions.set(partition, (BigInt(message.offset) + 1n).toString());
    }
    if (learner.pending === 0) this.pendingSince = undefined;
    else this.pendingSince ??= Date.now();
    const trained = learner.examples - examplesBefore;
    this.metrics.events.inc({ outcome: 'applied' }, applied);
    for (const [outcome, count] of Object.entries(skipped)) this.metrics.events.inc({ outcome }, count);
    this.metrics.examples.inc({ use: 'train' }, trained);
    this.metrics.examples.inc({ use: 'holdout' }, built - trained);
    this.countSteps(steps);
  }

  /** Trains the partial batch once its first example has waited `flushAfterMs` (null: never). */
  flushIfDue(flushAfterMs: number | null): void {
    if (flushAfterMs === null || this.pendingSince === undefined || Date.now() - this.pendingSince < flushAfterMs) return;
    const steps = this.steps();
    this.learner.flush();
    this.countSteps(steps);
    this.pendingSince = undefined;
  }

  private steps(): number[] {
    return this.learner.modelRoles.map((role) => this.learner.steps(role));
  }

  private countSteps(before: readonly number[]): void {
    this.learner.modelRoles.forEach((role, i) => this.metrics.steps.inc({ role }, this.learner.steps(role) - before[i]!));
  }
}
