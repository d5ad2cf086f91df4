import { createKafka, createRecordProducer, DEFAULT_PRODUCER_CLIENT, type KafkaClientOptions, type ProducerClient } from '@recstream/streams';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, HttpService, createMetricsRegistry, type HttpServiceOptions, type Logger } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '@recstream/schemas';
import { createIngestMetrics } from './metrics.js';
import { DEFAULT_PUBLISHER_OPTIONS, EventPublisher, type EventPublisherOptions } from './publisher.js';
import { RawTopicForwarder } from './raw-topic.js';
import { registerIngestRoutes } from './routes.js';

export interface IngesterOptions extends EventPublisherOptions {
  port: number;
  host: string;
  maxBodyBytes: number;
  /** Most events one batch request may hold. */
  maxBatchEvents: number;
  /** How far past its arrival an event's time may lie; events dated later are rejected with a reason. */
  maxFutureSkewMs: number;
  /** Also forward raw JSON events from this Kafka topic (consumer group `ingester-raw`); off when unset. */
  rawTopic?: string;
  /** The Kafka client events are produced with (docs/decisions/ingest-producer-client.md). */
  producerClient: ProducerClient;
  /** Checks API keys (scope `ingest`); without it the endpoints are open. */
  authorize?: HttpServiceOptions['authorize'];
}

export const DEFAULT_INGESTER_OPTIONS: IngesterOptions = {
  ...DEFAULT_HTTP_OPTIONS,
  ...DEFAULT_PUBLISHER_OPTIONS,
  port: APP_PORTS.ingester,
  maxBatchEvents: 5_000,
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  producerClient: DEFAULT_PRODUCER_CLIENT,
};

/** The event ingester: HTTP (and optionally a raw Kafka topic) in, Kafka out. `start()` connects and listens; `close()` drains and disconnects. */
export class Ingester {
  readonly http: HttpService;
  private readonly publisher: EventPublisher;
  private readonly forwarder?: RawTopicForwarder;
  private closing?: Promise<void>;

  /** Connects to Kafka as `kafkaOptions` say: kafkajs reads the raw topic, events go out on `producerClient`. */
  constructor(kafkaOptions: KafkaClientOptions, logger: Logger, options: Partial<IngesterOptions> = {}) {
    const opts = { ...DEFAULT_INGESTER_OPTIONS, ...options };
    const kafka = createKafka(kafkaOptions);
    const producer = createRecordProducer(opts.producerClient, kafka, kafkaOptions);
    this.publisher = new EventPublisher(producer, logger, opts);
    const metricsRegistry = createMetricsRegistry('ingester');
    this.http = new HttpService({ ...opts, logger, metricsRegistry, ready: () => this.publisher.ready });
    const metrics = createIngestMetrics(metricsRegistry, () => this.publisher.bufferedEvents);
    registerIngestRoutes(this.http, this.publisher, metrics, opts);
    if (opts.rawTopic) {
      const forwarding = { topic: opts.rawTopic, groupId: 'ingester-raw', maxFutureSkewMs: opts.maxFutureSkewMs };
      this.forwarder = new RawTopicForwarder(kafka, this.publisher, metrics, logger, forwarding);
    }
  }

  /** Resolves with the error once the raw-topic forwarder's consumer has crashed for good; never without a raw topic. */
  get failed(): Promise<Error> {
    return this.forwarder?.failed ?? new Promise<Error>(() => {});
  }

  /** Connects to Kafka, then listens; resolves with the bound port. */
  async start(): Promise<number> {
    await this.publisher.connect();
    await this.forwarder?.start();
    return (await this.http.listen()).port;
  }

  /** Stops taking requests, answers those in flight once Kafka acknowledges them, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.http.close();
      await this.forwarder?.close();
      await this.publisher.close();
    })();
    return this.closing;
  }
}
