import type { Logger } from '@recstream/platform';
import type { OutgoingMessage, RecordProducer } from '@recstream/streams';
import { MAX_EVENTS_PER_MESSAGE, TOPICS, type InteractionEvent } from '@recstream/schemas';

export interface ExposureLogOptions {
  /** Exposures are sent together once this many wait, or after `lingerMs`: each send costs CPU of its own besides its messages' (serving-request-path-cpu.md). */
  batchSize: number;
  lingerMs: number;
  /** Past this many unsent exposures new ones are dropped (and counted), so Kafka trouble never slows responses. */
  maxBuffered: number;
  /** The interaction events topic (EVENTS_TOPIC): where the feature builder and the online updater read exposures. */
  topic: string;
}

/** Exposures of one experiment variant that never reached Kafka. */
export interface DroppedVariant {
  experiment: string;
  variant: string;
  count: number;
}

/** Called with every lost batch: how many exposures, and those of experiment variants per variant. */
export type OnExposuresDropped = (count: number, variants: readonly DroppedVariant[]) => void;

/** The variant of an exposure with an experiment but no variant: as experiment_user_outcomes names it. */
export const NO_VARIANT = '(none)';

/** Per experiment variant exposure counts. */
class VariantTally {
  private readonly counts = new Map<string, DroppedVariant>();

  add(events: readonly InteractionEvent[]): void {
    for (const event of events) {
      if (event.experiment === undefined) continue;
      const variant = event.variant ?? NO_VARIANT;
      const key = JSON.stringify([event.experiment, variant]);
      const entry = this.counts.get(key);
      if (entry) entry.count += 1;
      else this.counts.set(key, { experiment: event.experiment, variant, count: 1 });
    }
  }

  entries(): DroppedVariant[] {
    return [...this.counts.values()];
  }
}

export const DEFAULT_EXPOSURE_LOG_OPTIONS: ExposureLogOptions = { batchSize: 1_000, lingerMs: 100, maxBuffered: 100_000, topic: TOPICS.events.name };

/**
 * Writes exposure events to the events topic, keyed by user_id like every
 * interaction, off the request path: responses never wait for Kafka. A
 * response's exposures go as one message, a JSON array of its events
 * (`validateMessage`): per-record encoding costs half as much that way
 * (docs/decisions/serving-request-path-cpu.md). The producer acknowledges
 * a send once all in-sync replicas hold it (RecordProducer).
 */
export class ExposureLog {
  private readonly options: ExposureLogOptions;
  private pending: OutgoingMessage[] = [];
  /** Exposures in `pending`; `inFlight` counts those sent and not yet acknowledged. */
  private pendingExposures = 0;
  private pendingVariants = new VariantTally();
  private inFlight = 0;
  private readonly sends = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private connected = false;
  private closing?: Promise<void>;

  constructor(
    private readonly producer: RecordProducer,
    private readonly logger: Logger,
    private readonly onDropped: OnExposuresDropped,
    options: Partial<ExposureLogOptions> = {},
  ) {
    this.options = { ...DEFAULT_EXPOSURE_LOG_OPTIONS, ...options };
  }

  async start(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  get ready(): boolean {
    return this.connected && !this.closing;
  }

  /** Queues one response's exposures, all of one user, as one message (several past what consumers take in one, MAX_EVENTS_PER_MESSAGE). */
  log(events: readonly InteractionEvent[]): void {
    const first = events[0];
    if (!first) return;
    if (this.closing || this.pendingExposures + this.inFlight + events.length > this.options.maxBuffered) {
      const dropped = new VariantTally();
      dropped.add(events);
      this.onDropped(events.length, dropped.entries());
      return;
    }
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_MESSAGE) {
      this.pending.push({ key: first.user_id, value: JSON.stringify(events.slice(i, i + MAX_EVENTS_PER_MESSAGE)) });
    }
    this.pendingExposures += events.length;
    this.pendingVariants.add(events);
    if (this.pendingExposures >= this.options.batchSize) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
  }

  /** Sends what is buffered, waits for every send, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      await Promise.allSettled([...this.sends]);
      await this.producer.disconnect();
    })();
    return this.closing;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const messages = this.pending;
    const exposures = this.pendingExposures;
    const variants = this.pendingVariants;
    this.pending = [];
    this.pendingExposures = 0;
    this.pendingVariants = new VariantTally();
    this.inFlight += exposures;
    const send = this.producer
      .send([{ topic: this.options.topic, messages }])
      .then(
        () => undefined,
        (error: unknown) => {
          this.onDropped(exposures, variants.entries());
          this.logger.warn({ err: error, exposures }, 'exposure events were not delivered to Kafka');
        },
      )
      .finally(() => {
        this.inFlight -= exposures;
        this.sends.delete(send);
      });
    this.sends.add(send);
  }
}
