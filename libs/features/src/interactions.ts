import type { KafkaMessage } from 'kafkajs';
import { RecstreamError } from '@recstream/platform';
import type { AnyEvent, DeadLetter, InteractionEvent } from '@recstream/schemas';
import { computeBatch, entitiesOf, type ComputeOptions } from './compute.js';
import { decodeMessages, partitionDecoded } from './decode.js';
import type { Arrival } from './lateness.js';
import type { OfflineStore } from './offline-store.js';
import type { OnlineStore } from './online-store.js';

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
  /** Attempts beyond the first, after a fence or version conflict. */
  retries: { fenced: number; conflict: number };
}

export type DeadLetterSink = (letters: readonly DeadLetter[]) => Promise<void>;

const isInteraction = (event: AnyEvent): event is InteractionEvent => event.type !== 'item' && event.type !== 'user';

/**
 * Applies one chunk of a partition's interactions with exactly-once effects:
 * skip what the partition's watermark already covers, compute, write
 * Postgres (idempotent) then Redis (atomic, fenced by the watermark read
 * first). When another consumer moved the fence or an entity first, reload
 * and recompute. The caller commits the Kafka offset afterwards.
 */
export class InteractionProcessor {
  constructor(
    private readonly online: OnlineStore,
    private readonly offline: OfflineStore,
    private readonly sendDeadLetters: DeadLetterSink,
    private readonly options: ComputeOptions & { maxAttempts: number },
  ) {}

  async process(topic: string, partition: number, messages: readonly KafkaMessage[]): Promise<AppliedBatch> {
    const decoded = decodeMessages(messages, isInteraction, 'interaction events');
    const lastOffset = messages.at(-1)!.offset;
    const retries = { fenced: 0, conflict: 0 };
    for (let attempt = 1; ; attempt++) {
      const from = await this.online.readWatermark(topic, partition);
      const pending = from ? decoded.filter((message) => BigInt(message.offset) > BigInt(from.offset)) : decoded;
      const { events, deadLetters } = partitionDecoded(pending);
      const result = { topic, partition, applied: 0, replayed: messages.length - pending.length, invalid: 0, retries };
      if (pending.length === 0) return { ...result, arrivals: { in_order: 0, out_of_order: 0, late: 0 }, eventTimes: [], visibleAt: Date.now(), postgresMs: 0, redisMs: 0 };

      const stored = await this.online.loadEntities(entitiesOf(events));
      const { plan, history, arrivals } = computeBatch({ topic, partition, from, lastOffset, events, stored }, this.options);
      const started = performance.now();
      await this.offline.writeBatch({ events, history, offset: { topic, partition, ...plan.to } });
      const written = performance.now();
      const outcome = await this.online.apply(plan);
      const visibleAt = Date.now();
      if (outcome === 'applied') {
        await this.sendDeadLetters(deadLetters);
        const eventTimes = events.map((event) => event.event_time);
        const timing = { postgresMs: written - started, redisMs: performance.now() - written };
        return { ...result, applied: events.length, invalid: deadLetters.length, arrivals, eventTimes, visibleAt, ...timing };
      }
      retries[outcome]++;
      if (attempt >= this.options.maxAttempts) {
        throw new RecstreamError(`${topic}[${partition}]: batch ending at ${lastOffset} kept conflicting (${outcome}) after ${attempt} attempts; it will be redelivered`, {
          context: { topic, partition, offset: lastOffset },
        });
      }
    }
  }
}
