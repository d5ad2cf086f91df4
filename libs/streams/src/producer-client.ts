import type { Kafka } from 'kafkajs';
import type { KafkaClientOptions } from './kafka.js';
import { PlatformaticRecordProducer } from './platformatic-producer.js';
import { kafkajsRecordProducer, type RecordProducer } from './record-producer.js';

/** The clients a RecordProducer can use; docs/decisions/ingest-producer-client.md compares them. */
export const PRODUCER_CLIENTS = ['platformatic', 'kafkajs'] as const;
export type ProducerClient = (typeof PRODUCER_CLIENTS)[number];
/** The client that spent less CPU per produced batch (docs/decisions/ingest-producer-client.md). */
export const DEFAULT_PRODUCER_CLIENT: ProducerClient = 'platformatic';

/** A RecordProducer on `client`; kafkajs' producer shares `kafka`'s connections and settings. */
export function createRecordProducer(client: ProducerClient, kafka: Kafka, options: KafkaClientOptions): RecordProducer {
  return client === 'platformatic' ? new PlatformaticRecordProducer(options) : kafkajsRecordProducer(kafka);
}
