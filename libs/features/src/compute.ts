import type { InteractionEvent } from '@recstream/schemas';
import { NO_CONTENT, type AggregationOptions, type ItemContent } from './entity-state.js';
import { BatchFold, OPEN_GATE, type FoldGate } from './batch-fold.js';
import { classifyArrival, type Arrival } from './lateness.js';
import type { StoredEntity } from './online-writer.js';
import type { HistoryRow } from './offline-store.js';
import type { BatchPlan, Watermark } from './plan.js';
import { decodeView } from './rows.js';
import { itemAttributes, type EntityName } from './views.js';

export interface ComputeOptions extends AggregationOptions {
  /** How far behind stream time an event may be and still count in its windows. */
  allowedLatenessMs: number;
}

export interface BatchInput {
  topic: string;
  partition: number;
  /** The partition's watermark when the batch was read. */
  from: Watermark | undefined;
  /** Last offset the batch covers, invalid messages included. */
  lastOffset: string;
  /** Valid interactions after the watermark, in offset order. */
  events: readonly InteractionEvent[];
  /** What `entitiesOf(events)` loaded, keyed `${entity}:${id}`. */
  stored: ReadonlyMap<string, StoredEntity>;
  /** The write token the batch gives its entities (unique to this attempt). */
  writeToken: string;
  /** On a Redis Cluster: for each event, which of its effects are still to be written. */
  gates?: readonly FoldGate[];
}

export interface ComputedBatch {
  plan: BatchPlan;
  history: HistoryRow[];
  arrivals: Record<Arrival, number>;
}

/** The users and items a batch touches, each once. */
export function entitiesOf(events: readonly InteractionEvent[]): { entity: EntityName; id: string }[] {
  const users = new Set(events.map((e) => e.user_id));
  const items = new Set(events.map((e) => e.item_id));
  return [...[...users].map((id) => ({ entity: 'user' as const, id })), ...[...items].map((id) => ({ entity: 'item' as const, id }))];
}

/**
 * Applies a partition batch to the stored states in offset order, classifying
 * each event against the partition's stream time (late events are not
 * counted), and returns what to write: entity states and views, co-visitation
 * increments, history rows and the new watermark. Pure: nothing is written.
 */
export function computeBatch(input: BatchInput, options: ComputeOptions): ComputedBatch {
  const { stored } = input;
  // Decoded once per item: a hot item's attributes would otherwise be parsed for each of its events.
  const contents = new Map<string, ItemContent>();
  const contentOf = (itemId: string) => {
    let found = contents.get(itemId);
    if (!found) {
      const attributes = stored.get(`item:${itemId}`)?.attributes;
      contents.set(itemId, (found = attributes ? decodeView(itemAttributes, attributes) : NO_CONTENT));
    }
    return found;
  };
  const fold = new BatchFold(options, (entity, id) => stored.get(`${entity}:${id}`), contentOf);
  const arrivals: Record<Arrival, number> = { in_order: 0, out_of_order: 0, late: 0 };
  let streamTime = input.from?.streamTime ?? Number.NEGATIVE_INFINITY;
  input.events.forEach((event, i) => {
    const arrival = classifyArrival(event.event_time, streamTime, options.allowedLatenessMs);
    arrivals[arrival]++;
    streamTime = Math.max(streamTime, event.event_time);
    if (arrival !== 'late') fold.apply(event, input.gates?.[i] ?? OPEN_GATE);
  });
  const { entities, history } = fold.writes();
  const to: Watermark = { offset: input.lastOffset, streamTime: Number.isFinite(streamTime) ? streamTime : 0 };
  const plan: BatchPlan = { topic: input.topic, partition: input.partition, from: input.from, writeToken: input.writeToken, to, entities, covisits: fold.covisits };
  return { plan, history, arrivals };
}
