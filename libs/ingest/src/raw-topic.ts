import type { Kafka, KafkaMessage } from 'kafkajs';
import { retry, type Logger } from '@recstream/platform';
import { ConsumerRunner, messageArrival, parseMessage, type ChunkContext } from '@recstream/streams';
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
  private readonly runner: ConsumerRunner;
  private closing?: Promise<void>;

  constructor(
    kafka: Kafka,
    private readonly publisher: EventPublisher,
    private readonly metrics: IngestMetrics,
    private readonly logger: Logger,
    private readonly options: RawTopicOptions,
  ) {
    // A fetched batch is forwarded whole: the publisher batches its sends anyway.
    this.runner = new ConsumerRunner(kafka, logger, { groupId: options.groupId, topics: [options.topic], chunkSize: Number.POSITIVE_INFINITY }, {
      handleChunk: (messages, context) => this.forward(messages, context),
    });
  }

  /** Resolves with the error once its consumer has crashed for good (ConsumerRunner.failed): the process should exit and be restarted. */
  get failed(): Promise<Error> {
    return this.runner.failed;
  }

  async start(): Promise<void> {
    await this.runner.connect();
    await this.runner.run();
  }

  close(): Promise<void> {
    this.closing ??= this.runner.disconnect();
    return this.closing;
  }

  private async forward(messages: KafkaMessage[], { partition, heartbeat }: ChunkContext): Promise<void> {
    const items: DecodedItem[] = messages.map((message, index) => {
      const parsed = parseMessage(message);
      return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, reason: `message ${index}: ${parsed.reason}`, raw: parsed.raw };
    });
    const { maxFutureSkewMs } = this.options;
    const sorted = triage(items, `ingester:${this.options.topic}`, (index) => ({ arrivedAt: messageArrival(messages[index]!), maxFutureSkewMs }));
    await retry({ retries: 20, maxDelayMs: 5_000 })(async () => {
      await heartbeat();
      await publishTriage(this.publisher, this.metrics, sorted);
    });
    this.logger.debug({ partition, offset: messages.at(-1)!.offset, forwarded: sorted.events.length }, 'raw batch forwarded');
  }
}
