import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { NonRetriableError } from '@recstream/platform';

export interface ConsumerRunnerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a new consumer group starts on each topic. */
  fromBeginning: boolean;
  /** A fetched batch is handled this many messages at a time, with a heartbeat between chunks and while one runs. */
  chunkSize: number;
  /** Partitions handled at once; their chunks interleave. */
  concurrency: number;
  /**
   * Commit each chunk's next offset to the group once it is handled (at
   * least once, effects made idempotent by the handler). false: the owner
   * keeps its positions elsewhere and commits them itself (`commit`).
   */
  commitEachChunk: boolean;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxFetchWaitMs: number;
  minFetchBytes: number;
  maxBytesPerPartition: number;
}

export const DEFAULT_CONSUMER_RUNNER_OPTIONS: Omit<ConsumerRunnerOptions, 'groupId' | 'topics'> = {
  fromBeginning: true,
  chunkSize: 500,
  concurrency: 1,
  commitEachChunk: true,
  sessionTimeoutMs: 30_000,
  heartbeatIntervalMs: 3_000,
  maxFetchWaitMs: 100,
  minFetchBytes: 1,
  maxBytesPerPartition: 1024 * 1024,
};

/** Where a chunk came from, and a heartbeat for handlers that may run long (retries). */
export interface ChunkContext {
  topic: string;
  partition: number;
  /** The partition's high watermark when the batch was fetched: lag is this minus the next offset. */
  highWatermark: string;
  heartbeat(): Promise<void>;
}

export interface ConsumerHandlers {
  /**
   * Applies one chunk, in offset order. Its offsets are resolved (and with
   * `commitEachChunk` committed) only after this resolves, so a crash or a
   * rebalance mid-chunk redelivers the chunk.
   */
  handleChunk(messages: KafkaMessage[], context: ChunkContext): Promise<void>;
  /** The group assigned these partitions, per topic, before any of their messages are handled (to seek, say). */
  onAssigned?(assignment: Record<string, number[]>): void;
}

/**
 * A Kafka consumer group member with the lifecycle every consumer of ours
 * shares: the heartbeat checked against the session timeout, batches cut
 * into chunks with a heartbeat between them, offsets resolved only after a
 * chunk is applied, group joins and crashes logged. `connect` joins,
 * `run` consumes, `disconnect` finishes the chunk in progress and leaves.
 */
export class ConsumerRunner {
  readonly options: ConsumerRunnerOptions;
  /**
   * Resolves with the error once the consumer has crashed for good (kafkajs
   * restarts it only after a retriable error): from then on nothing is
   * consumed, so the owner must exit and let its supervisor restart it.
   */
  readonly failed: Promise<Error>;
  private readonly consumer: Consumer;
  private member = false;
  private fail!: (error: Error) => void;

  constructor(
    kafka: Kafka,
    private readonly logger: Logger,
    options: Partial<ConsumerRunnerOptions> & Pick<ConsumerRunnerOptions, 'groupId' | 'topics'>,
    private readonly handlers: ConsumerHandlers,
  ) {
    this.options = { ...DEFAULT_CONSUMER_RUNNER_OPTIONS, ...options };
    const o = this.options;
    if (o.heartbeatIntervalMs >= o.sessionTimeoutMs / 3) {
      throw new NonRetriableError(`heartbeatIntervalMs (${o.heartbeatIntervalMs}) must be under a third of sessionTimeoutMs (${o.sessionTimeoutMs})`);
    }
    this.consumer = kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: o.heartbeatIntervalMs,
      maxWaitTimeInMs: o.maxFetchWaitMs,
      minBytes: o.minFetchBytes,
      maxBytesPerPartition: o.maxBytesPerPartition,
      maxBytes: 4 * o.maxBytesPerPartition,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.member = true;
      this.logger.info({ groupId: o.groupId, memberId: payload.memberId, assignment: payload.memberAssignment }, 'joined consumer group');
      this.handlers.onAssigned?.(payload.memberAssignment);
    });
    this.failed = new Promise((resolve) => (this.fail = resolve));
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.member = false;
      this.logger.error({ err: payload.error, restart: payload.restart, groupId: o.groupId }, payload.restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed for good');
      if (!payload.restart) this.fail(payload.error);
    });
  }

  /** Whether the group has assigned this member its partitions (and it has not crashed since). */
  get joined(): boolean {
    return this.member;
  }

  async connect(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.options.topics], fromBeginning: this.options.fromBeginning });
  }

  /** Starts consuming; resolves once the consumer runs (chunks are handled from then on). */
  async run(): Promise<void> {
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.concurrency,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  /** Stops fetching from `topics` while staying in the group (to commit after the last chunk). */
  pause(topics: readonly string[]): void {
    this.consumer.pause(topics.map((topic) => ({ topic })));
  }

  async commit(offsets: { topic: string; partition: number; offset: string }[]): Promise<void> {
    await this.consumer.commitOffsets(offsets);
  }

  /** Finishes the chunk in progress, leaves the group and disconnects. */
  async disconnect(): Promise<void> {
    await this.consumer.disconnect();
    this.member = false;
  }

  /**
   * Runs `task` with a heartbeat every heartbeat interval: on a loaded host
   * a chunk (and those of other partitions it waits on) can outlast the
   * session timeout, and the group must not drop a member that is working.
   */
  private async heartbeating(heartbeat: () => Promise<void>, task: () => Promise<void>): Promise<void> {
    // A failed beat (a rebalance) is left to the heartbeat after the chunk, which reports it to kafkajs.
    const timer = setInterval(() => void heartbeat().catch(() => undefined), this.options.heartbeatIntervalMs);
    try {
      await task();
    } finally {
      clearInterval(timer);
    }
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { topic, partition, highWatermark } = batch;
    const { chunkSize, commitEachChunk } = this.options;
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(start, start + chunkSize);
      await this.heartbeating(heartbeat, () => this.handlers.handleChunk(chunk, { topic, partition, highWatermark, heartbeat }));
      const last = chunk.at(-1)!.offset;
      resolveOffset(last);
      if (commitEachChunk) await this.commit([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
    }
  }
}
