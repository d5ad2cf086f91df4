import { RecstreamError } from '@recstream/platform';

export interface IngestClientOptions {
  /** The ingester's base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Events per batch request. */
  batchSize: number;
  /** Batch requests in flight at once. */
  concurrency: number;
  /**
   * One batch in flight at a time, whatever `concurrency` says, so the
   * events reach Kafka in the order given: batches sent side by side may
   * land in any order, and the feature builder counts an event behind its
   * partition's stream time by more than the allowed lateness as late.
   */
  ordered: boolean;
  /** Attempts per batch on 429/503 or network errors before giving up. */
  maxAttempts: number;
  /** Sent as `Authorization: Bearer` when the ingester requires API keys. */
  apiKey?: string;
  /** Called after each acknowledged batch. */
  onBatch?: (progress: { accepted: number; rejected: number }) => void;
}

export const DEFAULT_INGEST_CLIENT_OPTIONS: Omit<IngestClientOptions, 'url'> = { batchSize: 500, concurrency: 4, ordered: false, maxAttempts: 10 };

export interface SendSummary {
  accepted: number;
  rejected: number;
  requests: number;
  retries: number;
}

/**
 * Sends events to an ingester in NDJSON batches, a few in flight, retrying
 * 429 and 503 answers after the Retry-After they carry. Used by the demo,
 * the benches and loaders; events are sent at least once.
 */
export class IngestClient {
  private readonly options: IngestClientOptions;

  constructor(options: Partial<IngestClientOptions> & { url: string }) {
    this.options = { ...DEFAULT_INGEST_CLIENT_OPTIONS, ...options };
  }

  async send(events: Iterable<unknown> | AsyncIterable<unknown>): Promise<SendSummary> {
    const summary: SendSummary = { accepted: 0, rejected: 0, requests: 0, retries: 0 };
    const inFlight = new Set<Promise<void>>();
    let batch: string[] = [];
    const flush = async () => {
      const body = batch.join('\n');
      batch = [];
      const task = this.post(body, summary).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= (this.options.ordered ? 1 : this.options.concurrency)) await Promise.race(inFlight);
    };
    for await (const event of events) {
      batch.push(JSON.stringify(event));
      if (batch.length >= this.options.batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    await Promise.all(inFlight);
    return summary;
  }

  private async post(body: string, summary: SendSummary): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let wait = 1_000;
      try {
        summary.requests++;
        const response = await fetch(`${this.options.url}/v1/events/batch`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-ndjson',
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
          },
          body,
        });
        const answer = (await response.json()) as { accepted?: number; rejected?: unknown[]; error?: string };
        if (response.ok) {
          const progress = { accepted: answer.accepted ?? 0, rejected: answer.rejected?.length ?? 0 };
          summary.accepted += progress.accepted;
          summary.rejected += progress.rejected;
          this.options.onBatch?.(progress);
          return;
        }
        if (response.status !== 429 && response.status !== 503) {
          throw new RecstreamError(`ingester answered ${response.status}: ${answer.error}`, { retriable: false });
        }
        wait = Number(response.headers.get('retry-after') ?? 1) * 1_000;
      } catch (error) {
        if (error instanceof RecstreamError || attempt >= this.options.maxAttempts) throw error;
      }
      if (attempt >= this.options.maxAttempts) {
        throw new RecstreamError(`ingester kept refusing a batch after ${attempt} attempts; is Kafka up?`, { retriable: false });
      }
      summary.retries++;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
