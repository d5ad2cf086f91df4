import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import { ConsumerRunner, createProducer, type ChunkContext } from '@recstream/streams';
import type { RedisClient } from '@recstream/platform';
import type pg from 'pg';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, HttpService, createMetricsRegistry, type Logger } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS, DEFAULT_TOPIC_NAMES, type TopicNames } from '@recstream/schemas';
import { UpsertProcessor } from './upserts.js';
import { kafkaDeadLetterSink } from './dead-letters.js';
import { DEFAULT_AGGREGATION_OPTIONS } from './entity-state.js';
import type { ComputeOptions } from './compute.js';
import { InteractionProcessor, type AppliedBatch } from './interactions.js';
import { createBuilderMetrics, type BuilderMetrics } from './metrics.js';
import { OfflineStore } from './offline-store.js';
import { OnlineFeatureWriter } from './online-writer.js';
import { ensureMonthlyPartitions } from './partitions.js';
import { DEFAULT_FEATURE_NAMESPACE } from './views.js';

export interface FeatureBuilderOptions extends ComputeOptions {
  /** Kafka consumer group; instances of one deployment share it and split the partitions. */
  groupId: string;
  /** Key prefix in Redis and offsets namespace in Postgres. */
  namespace: string;
  topics: TopicNames;
  /** Which of `topics` to consume. */
  consume: readonly ('events' | 'items' | 'users')[];
  /** Most messages applied (and committed) as one unit; a fetched batch is cut into chunks of this size. */
  maxBatchEvents: number;
  /** Most bytes fetched per partition at a time; larger fetches make larger chunks when catching up. */
  maxBytesPerPartition: number;
  /** Partitions processed at once by one instance; their chunks overlap (see InteractionProcessor). */
  concurrency: number;
  /**
   * How long a fetch waits for `minFetchBytes` to accumulate: at a steady
   * rate, fewer and larger chunks cost fewer round trips per event, for at
   * most this much added latency.
   */
  maxFetchWaitMs: number;
  minFetchBytes: number;
  /** Attempts at one chunk when other consumers keep moving its fence or entities. */
  maxAttempts: number;
  /**
   * How far past its message's timestamp an event's time may lie; a message
   * with an event dated later is dead-lettered, so it cannot move the
   * partition's stream time ahead of the real events.
   */
  maxFutureSkewMs: number;
  /** Where a new consumer group starts on each topic. */
  fromBeginning: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  port: number;
  host: string;
}

export const DEFAULT_FEATURE_BUILDER_OPTIONS: FeatureBuilderOptions = {
  ...DEFAULT_AGGREGATION_OPTIONS,
  allowedLatenessMs: 10 * 60_000,
  groupId: 'feature-builder',
  namespace: DEFAULT_FEATURE_NAMESPACE,
  topics: DEFAULT_TOPIC_NAMES,
  consume: ['events', 'items', 'users'],
  maxBatchEvents: 20_000,
  maxBytesPerPartition: 8 * 1024 * 1024,
  concurrency: 6,
  maxFetchWaitMs: 100,
  minFetchBytes: 256 * 1024,
  maxAttempts: 10,
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  fromBeginning: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  port: APP_PORTS.featureBuilder,
  host: DEFAULT_HTTP_OPTIONS.host,
};

export interface FeatureBuilderDeps {
  kafka: Kafka;
  /** Owned by the caller, who closes it after `close()`. */
  redis: RedisClient;
  /** Owned by the caller, who ends it after `close()`. */
  pool: pg.Pool;
  logger: Logger;
  /** Instrumentation: called after each chunk's effects are visible in Redis. */
  onApplied?: (batch: AppliedBatch) => void;
  /** Replaces the Redis write side (tests inject failures here). */
  online?: OnlineFeatureWriter;
}

/**
 * The nearline feature builder: a Kafka consumer group on the interaction and
 * upsert topics, applying each chunk to Postgres and Redis before
 * committing its offset (at least once, with effects exactly once), with
 * /healthz, /readyz and /metrics. `start()` joins and listens; `close()`
 * finishes the chunk in progress, commits, leaves the group and stops.
 */
export class FeatureBuilder {
  readonly options: FeatureBuilderOptions;
  readonly http: HttpService;
  private readonly runner: ConsumerRunner;
  private readonly producer: Producer;
  private readonly interactions: InteractionProcessor;
  private readonly upserts: UpsertProcessor;
  private readonly metrics: BuilderMetrics;
  private readonly logger: Logger;
  /** Late events per partition since start, for the warning that names them. */
  private readonly lateByPartition = new Map<string, number>();
  private closing?: Promise<void>;

  constructor(
    private readonly deps: FeatureBuilderDeps,
    options: Partial<FeatureBuilderOptions> = {},
  ) {
    this.options = { ...DEFAULT_FEATURE_BUILDER_OPTIONS, ...options };
    const opts = this.options;
    this.logger = deps.logger;
    this.runner = new ConsumerRunner(
      deps.kafka,
      deps.logger,
      {
        groupId: opts.groupId,
        topics: opts.consume.map((name) => opts.topics[name]),
        fromBeginning: opts.fromBeginning,
        chunkSize: opts.maxBatchEvents,
        concurrency: opts.concurrency,
        commitEachChunk: true,
        sessionTimeoutMs: opts.sessionTimeoutMs,
        heartbeatIntervalMs: opts.heartbeatIntervalMs,
        maxFetchWaitMs: opts.maxFetchWaitMs,
        minFetchBytes: opts.minFetchBytes,
        maxBytesPerPartition: opts.maxBytesPerPartition,
      },
      { handleChunk: (chunk, context) => this.handleChunk(chunk, context) },
    );
    this.producer = createProducer(deps.kafka);
    const online = deps.online ?? new OnlineFeatureWriter(deps.redis, { namespace: opts.namespace });
    const offline = new OfflineStore(deps.pool, { namespace: opts.namespace });
    const sink = kafkaDeadLetterSink(this.producer, opts.topics.deadLetter);
    this.interactions = new InteractionProcessor(online, offline, sink, opts);
    this.upserts = new UpsertProcessor(online, offline, sink, opts.maxFutureSkewMs);
    const metricsRegistry = createMetricsRegistry('feature-builder');
    this.metrics = createBuilderMetrics(metricsRegistry);
    this.http = new HttpService({ ...DEFAULT_HTTP_OPTIONS, port: opts.port, host: opts.host, logger: deps.logger, metricsRegistry, ready: () => this.ready });
  }

  get ready(): boolean {
    return this.runner.joined && !this.closing;
  }

  /** Resolves with the error once its consumer has crashed for good (ConsumerRunner.failed): the process should exit and be restarted. */
  get failed(): Promise<Error> {
    return this.runner.failed;
  }

  /** Creates this and next month's partitions, connects, subscribes and consumes, then listens; resolves with the HTTP port. */
  async start(): Promise<number> {
    const partitions = await ensureMonthlyPartitions(this.deps.pool);
    this.deps.logger.info({ partitions }, 'monthly partitions ready');
    await this.producer.connect();
    await this.runner.connect();
    await this.runner.run();
    return (await this.http.listen()).port;
  }

  /** Stops after the chunk in progress (whose offset is committed), leaves the group, disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.http.close();
      await this.runner.disconnect();
      await this.producer.disconnect();
    })();
    return this.closing;
  }

  private async handleChunk(chunk: KafkaMessage[], { topic, partition, highWatermark }: ChunkContext): Promise<void> {
    await this.processChunk(topic, partition, chunk);
    this.metrics.lag.set({ topic, partition }, Math.max(0, Number(highWatermark) - Number(chunk.at(-1)!.offset) - 1));
  }

  private async processChunk(topic: string, partition: number, chunk: KafkaMessage[]): Promise<void> {
    if (topic !== this.options.topics.events) {
      const { applied, invalid } = await this.upserts.process(chunk);
      this.metrics.events.inc({ topic, outcome: 'applied' }, applied);
      this.metrics.events.inc({ topic, outcome: 'invalid' }, invalid);
      return;
    }
    const result = await this.interactions.process(topic, partition, chunk);
    const m = this.metrics;
    m.events.inc({ topic, outcome: 'applied' }, result.applied);
    m.events.inc({ topic, outcome: 'invalid' }, result.invalid);
    m.events.inc({ topic, outcome: 'replayed' }, result.replayed);
    for (const [arrival, count] of Object.entries(result.arrivals)) m.arrivals.inc({ arrival }, count);
    if (result.arrivals.late > 0) this.warnLate(topic, partition, result.arrivals.late);
    for (const [reason, count] of Object.entries(result.retries)) m.retries.inc({ reason }, count);
    if (result.applied > 0) {
      m.writeLatency.observe({ store: 'postgres' }, result.postgresMs / 1000);
      m.writeLatency.observe({ store: 'redis' }, result.redisMs / 1000);
      for (const time of result.eventTimes) m.freshness.observe((result.visibleAt - time) / 1000);
    }
    this.deps.onApplied?.(result);
  }

  /** Late events stay out of the features, but never silently: a counter per partition and a warning with the counts. */
  private warnLate(topic: string, partition: number, late: number): void {
    this.metrics.lateEvents.inc({ topic, partition }, late);
    const key = `${topic}[${partition}]`;
    const total = (this.lateByPartition.get(key) ?? 0) + late;
    this.lateByPartition.set(key, total);
    this.logger.warn(
      { topic, partition, late, lateSinceStart: total, allowedLatenessMs: this.options.allowedLatenessMs },
      'late events left out of nearline features (they are in event_log); history older than the stream belongs to npm run backfill',
    );
  }
}
