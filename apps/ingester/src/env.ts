import { z } from 'zod';
import { authenticatorEnv, authenticatorOptionsFromEnv } from '@recstream/auth';
import { authModeEnv, brokersFrom, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { DEFAULT_INGESTER_OPTIONS } from '@recstream/ingest';
import { topicNamesEnv, topicNamesFromEnv } from '@recstream/schemas';
import { PRODUCER_CLIENTS } from '@recstream/streams';


const schema = z.object({
  KAFKA_BROKERS: infraEnv.KAFKA_BROKERS,
  DATABASE_URL: infraEnv.DATABASE_URL,
  /** With `api-key`, callers need the `ingest` scope. */
  AUTH_MODE: authModeEnv,
  ...authenticatorEnv,
  LOG_LEVEL: infraEnv.LOG_LEVEL,
  PORT: z.coerce.number().int().min(0).max(65_535).default(DEFAULT_INGESTER_OPTIONS.port),
  HOST: z.string().default(DEFAULT_INGESTER_OPTIONS.host),
  MAX_BODY_BYTES: envInt(DEFAULT_INGESTER_OPTIONS.maxBodyBytes),
  MAX_BATCH_EVENTS: envInt(DEFAULT_INGESTER_OPTIONS.maxBatchEvents),
  MAX_BUFFERED_EVENTS: envInt(DEFAULT_INGESTER_OPTIONS.maxBufferedEvents),
  PRODUCE_TIMEOUT_MS: envInt(DEFAULT_INGESTER_OPTIONS.produceTimeoutMs),
  MAX_FUTURE_SKEW_MS: envInt(DEFAULT_INGESTER_OPTIONS.maxFutureSkewMs, 0),
  /** Processes sharing the port (node:cluster); each has its own producer and buffering limit. */
  WORKERS: envInt(1),
  /** The Kafka client events are produced with (docs/decisions/ingest-producer-client.md). */
  PRODUCER_CLIENT: z.enum(PRODUCER_CLIENTS).default(DEFAULT_INGESTER_OPTIONS.producerClient),
  /** Optional upstream topic of raw JSON events to validate and forward. */
  RAW_TOPIC: z.string().min(1).optional(),
  ...topicNamesEnv,
});

export function ingesterConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('ingester', schema, env);
  return {
    brokers: brokersFrom(e.KAFKA_BROKERS),
    databaseUrl: e.DATABASE_URL,
    authMode: e.AUTH_MODE,
    authenticator: authenticatorOptionsFromEnv(e),
    logLevel: e.LOG_LEVEL,
    workers: e.WORKERS,
    options: {
      port: e.PORT,
      host: e.HOST,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxBatchEvents: e.MAX_BATCH_EVENTS,
      maxBufferedEvents: e.MAX_BUFFERED_EVENTS,
      produceTimeoutMs: e.PRODUCE_TIMEOUT_MS,
      maxFutureSkewMs: e.MAX_FUTURE_SKEW_MS,
      rawTopic: e.RAW_TOPIC,
      producerClient: e.PRODUCER_CLIENT,
      topics: topicNamesFromEnv(e),
    },
  };
}
