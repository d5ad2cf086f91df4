import type { Kafka } from 'kafkajs';
import { sendBounded } from './bounded-send.js';
import { createProducer } from './kafka.js';

/** One message to produce: keyed messages go to the partition Java clients choose for the key. */
export interface OutgoingMessage {
  key: string | null;
  value: string;
}

export interface OutgoingTopicMessages {
  topic: string;
  messages: OutgoingMessage[];
}

/**
 * The small producer port the ingester writes through: every send is
 * acknowledged by all in-sync replicas before it resolves, and a
 * partition's messages keep the order given. Behind it, either client.
 */
export interface RecordProducer {
  readonly connected: boolean;
  connect(): Promise<void>;
  send(topicMessages: readonly OutgoingTopicMessages[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** kafkajs' producer (createProducer) sending in bounded requests, one after the other. */
export function kafkajsRecordProducer(kafka: Kafka): RecordProducer {
  const producer = createProducer(kafka);
  let connected = false;
  producer.on(producer.events.CONNECT, () => (connected = true));
  producer.on(producer.events.DISCONNECT, () => (connected = false));
  return {
    get connected() {
      return connected;
    },
    connect: async () => {
      await producer.connect();
      connected = true;
    },
    send: (topicMessages) => sendBounded(producer, -1, topicMessages),
    disconnect: () => producer.disconnect(),
  };
}
