import { Kafka, logLevel, type KafkaConfig, type LogEntry, type Producer, type ProducerConfig } from 'kafkajs';
import type { Logger } from 'pino';
import { JavaCompatiblePartitioner } from './partitioner.js';
import { stopIdleRequestQueueTimers } from './request-queue-timer.js';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /** Connection and request timeouts, in ms. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Retries for kafkajs' own requests (metadata, produce) before an error surfaces. */
  retries?: number;
}

/** Defaults of KafkaClientOptions, for either client. */
export const KAFKA_CLIENT_DEFAULTS = { connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000, retries: 5 };

/**
 * A kafkajs client whose logs go through pino at the matching level, and
 * whose idle connections do not spin (request-queue-timer.ts).
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  stopIdleRequestQueueTimers();
  const opts = { ...KAFKA_CLIENT_DEFAULTS, ...options };
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs,
    requestTimeout: opts.requestTimeoutMs,
    retry: { retries: opts.retries, initialRetryTime: 100, maxRetryTime: 2_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => logTo(opts.logger, entry),
  };
  return new Kafka(config);
}

function logTo(logger: Logger, { level, log }: LogEntry): void {
  const { message, ...fields } = log;
  const entry = { kafka: fields };
  if (level === logLevel.ERROR) logger.error(entry, message);
  else if (level === logLevel.WARN) logger.warn(entry, message);
  else logger.debug(entry, message);
}

/**
 * A producer as every app needs one: topics are never auto-created (they are
 * created with their partitions and retention), and keys are partitioned by
 * Java-compatible murmur2, so other Kafka clients send a key to the same partition.
 */
export function createProducer(kafka: Kafka, options: ProducerConfig = {}): Producer {
  return kafka.producer({ allowAutoTopicCreation: false, createPartitioner: JavaCompatiblePartitioner, ...options });
}
