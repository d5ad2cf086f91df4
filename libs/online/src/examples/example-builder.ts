import type { SequenceEntry } from '@recstream/schemas';
import { createRandom, hash32 } from '@recstream/models';
import type { InteractionEvent, InteractionType } from '@recstream/schemas';
import type { EncodableRow } from '@recstream/models';
import { ItemPool } from './item-pool.js';

/** A labelled example, in the shape the trainer encodes (see libs/training's encodeRows). */
export interface Example extends EncodableRow {
  label: number;
  /**
   * An exposure nobody acted on within `negativeAfterMs`: a negative for
   * ranking. Recall learns from positives against sampled negatives only,
   * as offline training does.
   */
  rankingOnly: boolean;
  /**
   * An exposure's outcome, carrying the features serving logged on it; a
   * ranker that reads model features learns only from these, since implicit
   * positives and sampled negatives have no features of their own.
   */
  exposed: boolean;
}

export interface ExampleBuilderOptions {
  /** An outcome labels an exposure when it shares its request_id and item and comes at most this long after it (event time). */
  attributionWindowMs: number;
  /** Interaction types that make a positive (a rating only from `minRating`). */
  positiveTypes: readonly InteractionType[];
  minRating: number;
  /**
   * Event time after which an exposure with no outcome yet is a ranking
   * negative. Shorter than the attribution window, an outcome arriving
   * after it adds the positive beside that negative (fake negatives, Ktena
   * et al. 2019; the wait is ES-DFM's elapsed-time window, Yang et al.
   * 2021): the ranker learns p / (1 + p) at most, which orders items as p
   * does, and its negatives come about as soon as its positives. Up to the
   * attribution window, a negative waits for the window to close, and until
   * then the ranker learns from clicks alone.
   */
  negativeAfterMs: number;
  /** Items drawn as negatives for each positive. */
  negativesPerPositive: number;
  /** Latest positives kept per user: the models' behaviour sequence, and items never drawn as that user's negatives. */
  historyLength: number;
  /** A repeated event_id within this much event time is a redelivery and is skipped. */
  dedupWindowMs: number;
  /** Seeds the negative sampler, together with each positive's event_id. */
  seed: number;
}

/** Per partition: events keyed by user arrive in order there, so exposures and their outcomes meet in one partition. */
interface PartitionJoin {
  /** Largest event time seen: exposures older than it by the attribution window are closed. */
  watermark: number;
  /** Exposures waiting for an outcome, by `joinKey`, in arrival order. */
  pending: Map<string, PendingExposure>;
  /** The pending exposures whose negative is still due, in arrival order (the same objects as in `pending`). */
  due: Map<string, PendingExposure>;
  /** Outcomes that found no exposure (yet), by `joinKey`, with their event time: an exposure arriving late is then not counted again. */
  unmatched: Map<string, number>;
  /** Recent event ids with their event time, for skipping redeliveries. */
  seen: Map<string, number>;
}

interface PendingExposure {
  row: EncodableRow;
  /** An outcome already labelled it positive; kept until its window closes so later outcomes are not counted again. */
  resolved: boolean;
  /** Its ranking negative was emitted (`negativeAfterMs` passed without an outcome); absent in state exported before. */
  negative?: boolean;
}

/** The builder's whole state as plain JSON, for snapshots. */
export interface ExampleBuilderState {
  partitions: [number, { watermark: number; pending: [string, PendingExposure][]; unmatched: [string, number][]; seen: [string, number][] }][];
  items: string[];
  histories: [string, SequenceEntry[]][];
}

/** Most draws per negative before giving up (a user who has touched nearly every item). */
const MAX_DRAWS = 20;

/**
 * Turns the interaction stream into labelled examples, by event time:
 * an exposure becomes a positive as soon as an outcome with its request_id
 * and item arrives within the attribution window, and a negative (for
 * ranking) once `negativeAfterMs` has passed without one, even if an
 * outcome comes later in the window; a positive with no
 * exposure to join is an implicit positive. Every positive brings sampled
 * negatives, drawn from the items seen so far by a generator seeded with
 * the positive's event_id, so the same stream always gives the same
 * examples. Deterministic and with exportable state, so a restart from a
 * snapshot continues exactly.
 */
export class ExampleBuilder {
  private readonly partitions = new Map<number, PartitionJoin>();
  private readonly items: ItemPool;
  private readonly histories: Map<string, SequenceEntry[]>;
  private readonly positives: ReadonlySet<string>;

  constructor(
    private readonly options: ExampleBuilderOptions,
    state?: ExampleBuilderState,
  ) {
    this.positives = new Set(options.positiveTypes);
    this.items = new ItemPool(state?.items);
    this.histories = new Map(state?.histories);
    for (const [partition, join] of state?.partitions ?? []) {
      this.partitions.set(partition, {
        watermark: join.watermark,
        pending: new Map(join.pending),
        due: new Map(join.pending.filter(([, exposure]) => !exposure.resolved && !exposure.negative)),
        unmatched: new Map(join.unmatched),
        seen: new Map(join.seen),
      });
    }
  }

  /** Exposures waiting for their window to close, over all partitions. */
  get pendingExposures(): number {
    let count = 0;
    for (const join of this.partitions.values()) count += join.pending.size;
    return count;
  }

  /** The examples `event` completes (none while it only opens an exposure), then those whose window it closed. */
  accept(partition: number, event: InteractionEvent): Example[] {
    const join = this.partition(partition);
    if (join.seen.has(event.event_id)) return [];
    join.seen.set(event.event_id, event.event_time);
    join.watermark = Math.max(join.watermark, event.event_time);
    this.items.add(event.item_id);
    const examples: Example[] = [];
    const key = joinKey(event.request_id, event.item_id);
    if (event.type === 'exposure') {
      // An outcome that arrived before its exposure was learned as an implicit positive already.
      if (!key || !join.unmatched.has(key)) {
        const exposure: PendingExposure = { row: this.rowFor(event), resolved: false };
        const pendingKey = key ?? `\u0000${event.event_id}`;
        join.pending.set(pendingKey, exposure);
        join.due.set(pendingKey, exposure);
      }
    } else if (this.isPositive(event)) {
      const exposure = key ? join.pending.get(key) : undefined;
      if (exposure && !exposure.resolved) {
        exposure.resolved = true;
        join.due.delete(key!);
        examples.push(...this.withNegatives({ ...exposure.row, label: 1, rankingOnly: false, exposed: true }, event.event_id));
      } else if (!exposure) {
        if (key) join.unmatched.set(key, event.event_time);
        examples.push(...this.withNegatives({ ...this.rowFor(event), label: 1, rankingOnly: false, exposed: false }, event.event_id));
      }
      this.remember(event);
    }
    this.close(join, examples);
    return examples;
  }

  /**
   * Drops erased users' histories and open exposures (no negative is ever
   * emitted for them). Unmatched-outcome and dedup keys stay: they hold no
   * user id, only that user's (now skipped) events could match them, and
   * they expire with their windows.
   */
  forget(userIds: ReadonlySet<string>): void {
    for (const userId of userIds) this.histories.delete(userId);
    for (const join of this.partitions.values()) {
      for (const [key, exposure] of join.pending) {
        if (!userIds.has(exposure.row.userId)) continue;
        join.pending.delete(key);
        join.due.delete(key);
      }
    }
  }

  exportState(): ExampleBuilderState {
    return {
      partitions: [...this.partitions].map(([partition, join]) => [
        partition,
        { watermark: join.watermark, pending: [...join.pending], unmatched: [...join.unmatched], seen: [...join.seen] },
      ]),
      items: this.items.export(),
      histories: [...this.histories],
    };
  }

  private partition(partition: number): PartitionJoin {
    let join = this.partitions.get(partition);
    if (!join) this.partitions.set(partition, (join = { watermark: 0, pending: new Map(), due: new Map(), unmatched: new Map(), seen: new Map() }));
    return join;
  }

  private isPositive(event: InteractionEvent): boolean {
    return this.positives.has(event.type) && (event.type !== 'rating' || (event.rating ?? 0) >= this.options.minRating);
  }

  /** The event as a row, with the user's history as of just before it and the features serving logged on it. */
  private rowFor(event: InteractionEvent): EncodableRow {
    const row: EncodableRow = { userId: event.user_id, itemId: event.item_id, time: event.event_time, context: event.context, sequence: this.histories.get(event.user_id) ?? [] };
    if (event.features) row.features = event.features;
    return row;
  }

  private remember(event: InteractionEvent): void {
    const history = this.histories.get(event.user_id) ?? [];
    // A new array each time: rows built earlier keep the history they were built with.
    this.histories.set(event.user_id, [...history, { item_id: event.item_id, type: event.type, time: event.event_time }].slice(-this.options.historyLength));
  }

  private withNegatives(positive: Example, eventId: string): Example[] {
    const { negativesPerPositive, seed } = this.options;
    const excluded = new Set([positive.itemId, ...positive.sequence.map((entry) => entry.item_id)]);
    const random = createRandom(hash32(eventId) ^ seed);
    const examples = [positive];
    for (let n = 0; n < negativesPerPositive; n++) {
      const item = this.items.draw(random, (candidate) => !excluded.has(candidate), MAX_DRAWS);
      if (item === undefined) break;
      excluded.add(item);
      const negative: Example = { ...positive, itemId: item, label: 0, exposed: false };
      // The positive's features describe its item, not this one.
      delete negative.features;
      examples.push(negative);
    }
    return examples;
  }

  /** Emits negatives for exposures past `negativeAfterMs` without an outcome and forgets join and dedup entries that can no longer match. */
  private close(join: PartitionJoin, out: Example[]): void {
    const { attributionWindowMs, negativeAfterMs, dedupWindowMs } = this.options;
    const negativeAfter = Math.min(negativeAfterMs, attributionWindowMs);
    // Maps iterate in arrival order, which is event-time order but for stragglers: stopping at the first open entry keeps this cheap.
    for (const [key, exposure] of join.due) {
      if (exposure.row.time + negativeAfter >= join.watermark) break;
      join.due.delete(key);
      exposure.negative = true;
      out.push({ ...exposure.row, label: 0, rankingOnly: true, exposed: true });
    }
    for (const [key, exposure] of join.pending) {
      if (exposure.row.time + attributionWindowMs >= join.watermark) break;
      join.pending.delete(key);
    }
    for (const [key, time] of join.unmatched) {
      if (time + attributionWindowMs >= join.watermark) break;
      join.unmatched.delete(key);
    }
    for (const [id, time] of join.seen) {
      if (time + dedupWindowMs >= join.watermark) break;
      join.seen.delete(id);
    }
  }
}

function joinKey(requestId: string | undefined, itemId: string): string | undefined {
  return requestId === undefined ? undefined : `${requestId}\u0000${itemId}`;
}
