import { ProduceAcks, Producer, stringSerializers, type MessageToProduce } from '@platformatic/kafka';
import { boundedRequests } from './bounded-send.js';
import { KAFKA_CLIENT_DEFAULTS, type KafkaClientOptions } from './kafka.js';
import { murmur2 } from './partitioner.js';
import type { OutgoingTopicMessages, RecordProducer } from './record-producer.js';

type Message = MessageToProduce<string, string, string, string>;

/**
 * A RecordProducer on @platformatic/kafka, which encodes record batches for
 * less CPU than kafkajs (docs/decisions/ingest-producer-client.md). Not
 * idempotent, like the kafkajs producer it stands beside: its idempotent
 * mode refuses concurrent sends with out-of-order sequence numbers.
 */
export class PlatformaticRecordProducer implements RecordProducer {
  private readonly producer: Producer<string, string, string, string>;
  private open = false;

  constructor(options: KafkaClientOptions) {
    const opts = { ...KAFKA_CLIENT_DEFAULTS, ...options };
    this.producer = new Producer({
      clientId: opts.clientId,
      bootstrapBrokers: opts.brokers,
      connectTimeout: opts.connectionTimeoutMs,
      timeout: opts.requestTimeoutMs,
      retries: opts.retries,
      // Jittered exponential backoff from 100 ms up to 2 s, as createKafka gives kafkajs.
      retryDelay: (_client, _operation, attempt) => Math.min(2_000, 100 * 2 ** attempt) * (0.8 + Math.random() * 0.4),
      serializers: stringSerializers,
      idempotent: false,
      autocreateTopics: false,
      partitioner: javaCompatiblePartitioner(),
    });
  }

  get connected(): boolean {
    return this.open && !this.producer.closed;
  }

  /** Reaches a broker (fails like kafkajs' connect when none answers). */
  async connect(): Promise<void> {
    await this.producer.metadata({ topics: [] });
    this.open = true;
  }

  async send(topicMessages: readonly OutgoingTopicMessages[]): Promise<void> {
    for (const request of boundedRequests(topicMessages)) {
      const messages: Message[] = [];
      for (const { topic, messages: batch } of request) for (const { key, value } of batch) messages.push({ topic, key: key ?? undefined, value });
      // Per send: the client ignores a constructor's acks and sends acks=1 to a non-idempotent producer's sends.
      await this.producer.send({ messages, acks: ProduceAcks.ALL });
    }
  }

  async disconnect(): Promise<void> {
    this.open = false;
    await this.producer.close();
  }
}

/**
 * Java's choice for a keyed message (murmur2 of the key's bytes, made
 * positive; the client takes it modulo the partition count), and a
 * per-topic round robin for the rest.
 */
function javaCompatiblePartitioner() {
  const counters = new Map<string, number>();
  return (message: Message, key: Buffer | undefined): number => {
    if (key) return murmur2(key) & 0x7fffffff;
    const counter = ((counters.get(message.topic) ?? Math.floor(Math.random() * 2 ** 31)) + 1) & 0x7fffffff;
    counters.set(message.topic, counter);
    return counter;
  };
}
