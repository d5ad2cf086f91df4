import type { Consumer, Kafka } from 'kafkajs';
import { retry, type Logger } from '@recstream/platform';
import { messageArrival } from '@recstream/streams';
import type { DecodedItem } from './decode.js';
import type { IngestMetrics } from './metrics.js';
import type { EventPublisher } from './publisher.js';
import { publishTriage, triage } from './triage.js';

export interface RawTopicOptions {
  /** Topic that upstream producers write unvalidated JSON events to. */
  topic: string;
  groupId: string;
  /** How far past its message's timestamp an event's time may lie. */
  maxFutureSkewMs: number;
}

/**
 * The ingester's Kafka input: reads raw JSON events from an upstream topic,
 * validates them like the HTTP endpoints do, and forwards them (and dead
 * letters) through the same publisher. Offsets are committed only after Kafka
 * acknowledged the forwarded batch, so a crash replays instead of dropping.
 */
export class RawTopicForwarder {
  private readonly consumer: Consumer;
  private closing?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    private readonly options: RawTopicOptions,
  ) {
    this.consumer = kafka.consumer({ groupId: options.groupId });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat, isRunning }) => {
        if (batch.messages.length === 0 || !isRunning()) return;
        const items: DecodedItem[] = batch.messages.map((message, index) => {
          const raw = message.value?.toString('utf8') ?? '';
          try {
            return { ok: true, value: JSON.parse(raw) as unknown };
          } catch (error) {
            return { ok: false, reason: `message ${index}: invalid JSON (${(error as Error).message})`, raw };
          }
        });
        const { maxFutureSkewMs } = this.options;
        const sorted = triage(items, `ingester:${this.options.topic}`, (index) => ({ arrivedAt: messageArrival(batch.messages[index]!), maxFutureSkewMs }));
        await retry({ retries: 20, maxDelayMs: 5_000 })(async () => {
          await heartbeat();
          await publishTriage(this.publisher, this.metrics, sorted);
        });
        const next = (BigInt(batch.lastOffset()) + 1n).toString();
        await this.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next }]);
        this.logger.debug({ partition: batch.partition, offset: next, forwarded: sorted.events.length }, 'raw batch forwarded');
      },
    });
  }

  close(): Promise<void> {
    this.closing ??= this.consumer.disconnect();
    return this.closing;
  }
}
