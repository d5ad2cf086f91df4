import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { RecstreamError } from '@recstream/platform';
import type { DeadLetter, InteractionEvent } from '@recstream/schemas';
import { interactionMessages, type DecodedMessage } from '@recstream/streams';
import { computeBatch, entitiesOf, type ComputeOptions, type ComputedBatch } from './compute.js';
import { decodeMessages, partitionDecoded } from './decode.js';
import type { Arrival } from './lateness.js';
import type { OfflineStore } from './offline-store.js';
import type { OnlineFeatureWriter, StoredEntity } from './online-writer.js';
import { PendingStates, SerialQueue } from './pending.js';
import { SlotFences } from './slot-fences.js';

export interface AppliedBatch {
  topic: string;
  partition: number;
  /** Messages whose effects this call wrote. */
  applied: number;
  /** Messages at or before the watermark: applied before a crash or by another consumer. */
  replayed: number;
  invalid: number;
  arrivals: Record<Arrival, number>;
  /** Event times of the applied interactions and when Redis acknowledged them (freshness). */
  eventTimes: number[];
  visibleAt: number;
  postgresMs: number;
  redisMs: number;
  /** Attempts beyond the first, after a fence or write-token conflict. */
  retries: { fenced: number; conflict: number };
}

export type DeadLetterSink = (letters: readonly DeadLetter[]) => Promise<void>;


interface Staged {
  computed: ComputedBatch;
  /** On a Redis Cluster: the fences the write checks slot by slot. */
  fences: SlotFences | undefined;
  events: InteractionEvent[];
  deadLetters: DeadLetter[];
  replayed: number;
  /** Runs the Redis write in this chunk's turn (the order chunks were computed in). */
  turn: <T>(task: () => Promise<T>) => Promise<T>;
}

/**
 * Applies one chunk of a partition's interactions with exactly-once effects:
 * skip what the partition's watermark already covers, compute, write
 * Postgres (idempotent) then Redis (atomic, fenced by the watermark read
 * first and by entities' write tokens). When another consumer moved the fence or
 * an entity first, reload and recompute. The caller commits the Kafka offset
 * afterwards.
 *
 * Chunks of different partitions overlap: computing is one at a time, and a
 * chunk builds on the states of chunks still writing (PendingStates); the
 * Postgres writes run side by side; the Redis writes go in compute order.
 */
export class InteractionProcessor {
  private readonly computing = new SerialQueue();
  private readonly applying = new SerialQueue();
  private readonly pending = new PendingStates();

  constructor(
    private readonly online: OnlineFeatureWriter,
    private readonly offline: OfflineStore,
    private readonly sendDeadLetters: DeadLetterSink,
    private readonly options: ComputeOptions & { maxAttempts: number; maxFutureSkewMs: number },
  ) {}

  async process(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<AppliedBatch> {
    const decoded = decodeMessages(messages, interactionMessages(this.options.maxFutureSkewMs));
    const lastOffset = messages.at(-1)!.offset;
    const retries = { fenced: 0, conflict: 0 };
    for (let attempt = 1; ; attempt++) {
      const owner = Symbol(`${topic}[${partition}]@${lastOffset}`);
      const staged = await this.computing.run(() => this.stage(owner, topic, partition, decoded, lastOffset));
      const result = { topic, partition, applied: 0, replayed: staged?.replayed ?? messages.length, invalid: 0, retries };
      if (!staged) return { ...result, arrivals: { in_order: 0, out_of_order: 0, late: 0 }, eventTimes: [], visibleAt: Date.now(), postgresMs: 0, redisMs: 0 };

      const { computed, events, deadLetters, turn } = staged;
      const started = performance.now();
      let outcome;
      try {
        await this.offline.writeBatch({ events, history: computed.history, offset: { topic, partition, ...computed.plan.to } });
      } catch (error) {
        void turn(async () => undefined);
        this.pending.clear();
        throw error;
      }
      const written = performance.now();
      try {
        outcome = await turn(() => this.online.apply(computed.plan, staged.fences));
      } catch (error) {
        this.pending.clear();
        throw error;
      }
      if (outcome === 'applied') {
        this.pending.release(owner);
        const visibleAt = Date.now();
        await this.sendDeadLetters(deadLetters);
        const timing = { postgresMs: written - started, redisMs: performance.now() - written };
        const eventTimes = events.map((event) => event.event_time);
        return { ...result, applied: events.length, invalid: deadLetters.length, arrivals: computed.arrivals, eventTimes, visibleAt, ...timing };
      }
      this.pending.clear();
      retries[outcome]++;
      if (attempt >= this.options.maxAttempts) {
        throw new RecstreamError(`${topic}[${partition}]: batch ending at ${lastOffset} kept conflicting (${outcome}) after ${attempt} attempts; it will be redelivered`, {
          context: { topic, partition, offset: lastOffset },
        });
      }
    }
  }

  /** Reads the watermark and states, computes, holds the new states as pending and reserves the Redis turn; undefined when all was applied before. */
  private async stage(
    owner: symbol,
    topic: string,
    partition: number,
    decoded: readonly DecodedMessage<InteractionEvent>[],
    lastOffset: string,
  ): Promise<Staged | undefined> {
    // One round trip for the watermark and every entity the chunk names; those
    // of messages the watermark covers are read for nothing, which is rare.
    const all = partitionDecoded(decoded).events;
    const touched = entitiesOf(all).map((entity) => ({ ...entity, key: `${entity.entity}:${entity.id}` }));
    // Taken before the read: a chunk may apply (and release its entries) meanwhile.
    const held = new Map<string, StoredEntity>();
    for (const { key } of touched) {
      const entry = this.pending.get(key);
      if (entry) held.set(key, entry);
    }
    const missing = touched.filter(({ key }) => !held.has(key));
    const { watermark: from, stored } = await this.online.loadEntities(topic, partition, missing);
    for (const [key, entry] of held) stored.set(key, entry);
    const fresh = from ? decoded.filter((message) => BigInt(message.offset) > BigInt(from.offset)) : decoded;
    if (fresh.length === 0) return undefined;
    const { events, deadLetters } = partitionDecoded(fresh);
    const input = { topic, partition, from, lastOffset, events, stored, writeToken: randomUUID() };
    const fences = this.online.clustered ? new SlotFences(from) : undefined;
    let computed = computeBatch(input, this.options);
    if (fences) {
      // The co-visitation sets a batch adds to are known once it is computed: read their fences, and compute again
      // with every fence known when some slot already holds part of this batch (a replay after a partial write).
      const slots = touched.map(({ entity, id }) => ({ phase: entity === 'user' ? ('users' as const) : ('items' as const), id }));
      await this.online.readFences(topic, partition, fences, [...slots, ...[...computed.plan.covisits.keys()].map((id) => ({ phase: 'items' as const, id }))]);
      if (fences.partial) computed = computeBatch({ ...input, gates: gatesOf(fresh, fences) }, this.options);
    }
    this.pending.hold(
      owner,
      computed.plan.writeToken,
      computed.plan.entities.map((write) => {
        const key = `${write.entity}:${write.id}`;
        return { key, state: write.state, attributes: stored.get(key)?.attributes ?? null };
      }),
    );
    return { computed, fences, events, deadLetters, replayed: decoded.length - fresh.length, turn: this.applying.reserve() };
  }
}

/** For each event of the messages (in partitionDecoded's order), which of its effects the fences still let through. */
function gatesOf(messages: readonly DecodedMessage<InteractionEvent>[], fences: SlotFences) {
  return messages.flatMap((message) => ('events' in message ? message.events.map((event) => fences.gate(message.offset, event)) : []));
}
