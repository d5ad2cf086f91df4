import { HttpError, type Logger } from '@recstream/platform';
import { DEFAULT_TOPIC_NAMES, routeEvent, type AnyEvent, type DeadLetter, type TopicNames } from '@recstream/schemas';
import type { OutgoingMessage, RecordProducer } from '@recstream/streams';

export interface EventPublisherOptions {
  /** Events accepted but not yet acknowledged by Kafka; past this, callers get 429. */
  maxBufferedEvents: number;
  /** How long a caller waits for Kafka's acknowledgement before getting 503. */
  produceTimeoutMs: number;
  /** Seconds a 429/503 asks the caller to wait before retrying. */
  retryAfterSeconds: number;
  /** Where accepted events (by type) and dead letters go. */
  topics: TopicNames;
}

export const DEFAULT_PUBLISHER_OPTIONS: EventPublisherOptions = {
  maxBufferedEvents: 50_000,
  produceTimeoutMs: 5_000,
  retryAfterSeconds: 2,
  topics: DEFAULT_TOPIC_NAMES,
};

export interface PublishResult {
  /** Messages per topic, after Kafka acknowledged them from all in-sync replicas. */
  perTopic: Map<string, number>;
  durationMs: number;
}

/**
 * Produces validated events (keyed for their topic) and dead letters to Kafka
 * with acks from all in-sync replicas. A caller is answered only after the
 * acknowledgement, so an acknowledged event is never lost; when Kafka is slow
 * or down, buffering is bounded and callers are told to retry.
 */
export class EventPublisher {
  private readonly options: EventPublisherOptions;
  private buffered = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing?: Promise<void>;

  constructor(
    private readonly producer: RecordProducer,
    private readonly logger: Logger,
    options: Partial<EventPublisherOptions> = {},
  ) {
    this.options = { ...DEFAULT_PUBLISHER_OPTIONS, ...options };
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  get ready(): boolean {
    return this.producer.connected && !this.closing;
  }

  get topics(): TopicNames {
    return this.options.topics;
  }

  get bufferedEvents(): number {
    return this.buffered;
  }

  async publish(events: readonly AnyEvent[], deadLetters: readonly DeadLetter[]): Promise<PublishResult> {
    const count = events.length + deadLetters.length;
    const retryAfter = { 'retry-after': String(this.options.retryAfterSeconds) };
    if (this.closing) throw new HttpError(503, 'ingester is shutting down; retry against another replica', {}, retryAfter);
    if (count === 0) return { perTopic: new Map(), durationMs: 0 };
    if (this.buffered + count > this.options.maxBufferedEvents) {
      throw new HttpError(429, 'ingester is at its buffering limit while Kafka catches up; retry later', {}, retryAfter);
    }
    const { topicMessages, perTopic } = toTopicMessages(events, deadLetters, this.options.topics);
    const started = performance.now();
    this.buffered += count;
    const send = this.producer.send(topicMessages).finally(() => {
      this.buffered -= count;
      this.inFlight.delete(send);
    });
    this.inFlight.add(send);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no acknowledgement within ${this.options.produceTimeoutMs} ms`)), this.options.produceTimeoutMs);
    });
    try {
      await Promise.race([send, timeout]);
    } catch (error) {
      this.logger.warn({ err: error, events: count }, 'produce failed; answering 503');
      throw new HttpError(503, 'Kafka did not acknowledge the events; nothing was accepted, retry later', {}, retryAfter);
    } finally {
      clearTimeout(timer);
    }
    return { perTopic, durationMs: performance.now() - started };
  }

  /** Waits for sends in flight (so their callers get answers), then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.producer.disconnect();
    })();
    return this.closing;
  }
}

function toTopicMessages(events: readonly AnyEvent[], deadLetters: readonly DeadLetter[], topics: TopicNames) {
  const byTopic = new Map<string, OutgoingMessage[]>();
  const add = (topic: string, key: string | null, value: string) => {
    let messages = byTopic.get(topic);
    if (!messages) byTopic.set(topic, (messages = []));
    messages.push({ key, value });
  };
  for (const event of events) {
    const { topic, key } = routeEvent(event, topics);
    add(topic, key, JSON.stringify(event));
  }
  for (const letter of deadLetters) add(topics.deadLetter, null, JSON.stringify(letter));
  const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  return { topicMessages, perTopic: new Map([...byTopic].map(([topic, messages]) => [topic, messages.length])) };
}
