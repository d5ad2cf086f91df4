import { HttpError, type HttpRequest, type HttpResponse, type HttpService } from '@recstream/platform';
import type { ArrivalBound } from '@recstream/schemas';
import { decodeBatch, decodeSingle } from './decode.js';
import type { IngestMetrics } from './metrics.js';
import type { EventPublisher } from './publisher.js';
import { publishTriage, triage } from './triage.js';

const SOURCE = 'ingester';
/** The API-key scope the ingest routes require. */
export const INGEST_SCOPE = 'ingest';

export interface IngestLimits {
  /** Most events one batch request may hold. */
  maxBatchEvents: number;
  /** How far past the request an event's time may lie. */
  maxFutureSkewMs: number;
}

/**
 * POST /v1/events takes one event (202, or 400 naming the bad fields);
 * POST /v1/events/batch takes a JSON array or NDJSON (200 with the accepted
 * count and each rejected index with its reasons). Rejected input also goes
 * to the dead-letter topic, so nothing sent is lost.
 */
export function registerIngestRoutes(http: HttpService, publisher: EventPublisher, metrics: IngestMetrics, limits: IngestLimits): void {
  // Every event of a request arrived with the request.
  const arrivedNow = (): ArrivalBound => ({ arrivedAt: Date.now(), maxFutureSkewMs: limits.maxFutureSkewMs });
  http.route(
    'POST',
    '/v1/events',
    async (request: HttpRequest): Promise<HttpResponse> => {
      const arrival = arrivedNow();
      const value = decodeSingle(await request.body(), request.headers['content-type']);
      const sorted = triage([{ ok: true, value }], SOURCE, () => arrival);
      await publishTriage(publisher, metrics, sorted);
      const [event] = sorted.events;
      if (!event) throw new HttpError(400, 'event rejected', { reasons: sorted.rejected[0]!.reasons });
      return { status: 202, body: { accepted: 1, event_id: event.event_id } };
    },
    INGEST_SCOPE,
  );

  http.route(
    'POST',
    '/v1/events/batch',
    async (request: HttpRequest): Promise<HttpResponse> => {
      const arrival = arrivedNow();
      const items = decodeBatch(await request.body(), request.headers['content-type'], limits.maxBatchEvents);
      const sorted = triage(items, SOURCE, () => arrival);
      await publishTriage(publisher, metrics, sorted);
      return { status: 200, body: { accepted: sorted.events.length, rejected: sorted.rejected } };
    },
    INGEST_SCOPE,
  );
}
