import type { HttpRequest, HttpResponse, HttpService } from '@recstream/platform';
import { HttpError } from '@recstream/platform';
import { TOPICS, validateEvent, type AnyEvent, type DeadLetter } from '@recstream/schemas';
import { decodeBatch, decodeSingle } from './decode.js';
import type { IngestMetrics } from './metrics.js';
import type { EventPublisher } from './publisher.js';

export interface RejectedEvent {
  index: number;
  reasons: string[];
}

const SOURCE = 'ingester';
/** The API-key scope the ingest routes require. */
export const INGEST_SCOPE = 'ingest';

/**
 * POST /v1/events takes one event (202, or 400 naming the bad fields);
 * POST /v1/events/batch takes a JSON array or NDJSON (200 with the accepted
 * count and each rejected index with its reasons). Rejected input also goes
 * to the dead-letter topic, so nothing sent is lost.
 */
export function registerIngestRoutes(
  http: HttpService,
  publisher: EventPublisher,
  metrics: IngestMetrics,
  maxBatchEvents: number,
): void {
  const publish = async (events: AnyEvent[], deadLetters: DeadLetter[]) => {
    const result = await publisher.publish(events, deadLetters);
    metrics.produceLatency.observe(result.durationMs / 1000);
    for (const [topic, count] of result.perTopic) if (topic !== TOPICS.deadLetter.name) metrics.accepted.inc({ topic }, count);
    metrics.rejected.inc(deadLetters.length);
  };

  http.route('POST', '/v1/events', async (request: HttpRequest): Promise<HttpResponse> => {
    const value = decodeSingle(await request.body(), request.headers['content-type']);
    const result = validateEvent(value);
    if (!result.ok) {
      await publish([], [deadLetter(result.reasons, value)]);
      throw new HttpError(400, 'event rejected', { reasons: result.reasons });
    }
    await publish([result.event], []);
    return { status: 202, body: { accepted: 1, event_id: result.event.event_id } };
  }, INGEST_SCOPE);

  http.route('POST', '/v1/events/batch', async (request: HttpRequest): Promise<HttpResponse> => {
    const items = decodeBatch(await request.body(), request.headers['content-type'], maxBatchEvents);
    const events: AnyEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    const rejected: RejectedEvent[] = [];
    items.forEach((item, index) => {
      const result = item.ok ? validateEvent(item.value) : { ok: false as const, reasons: [item.reason] };
      if (result.ok) return void events.push(result.event);
      rejected.push({ index, reasons: result.reasons });
      deadLetters.push(deadLetter(result.reasons, item.ok ? item.value : item.raw));
    });
    await publish(events, deadLetters);
    return { status: 200, body: { accepted: events.length, rejected } };
  }, INGEST_SCOPE);
}

const deadLetter = (reasons: string[], raw: unknown): DeadLetter => ({ reasons, source: SOURCE, received_at: Date.now(), raw });
