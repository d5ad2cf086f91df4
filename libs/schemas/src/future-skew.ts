/**
 * How far past its arrival an event's time may lie by default. Clocks
 * drift by seconds; one event dated far ahead would carry the stream time
 * of every consumer that reads it past the real events, which then count
 * as late.
 */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;

/** When an input arrived, and how far past that its events' times may lie. */
export interface ArrivalBound {
  /** Epoch ms: the ingester's clock at the request, or the Kafka message's timestamp (see `messageArrival`). */
  arrivedAt: number;
  maxFutureSkewMs: number;
}

/** The reason an event time lies too far past its arrival, naming `event_time`; undefined within the bound. */
export function futureTimeReason(eventTime: number, { arrivedAt, maxFutureSkewMs }: ArrivalBound): string | undefined {
  if (eventTime <= arrivedAt + maxFutureSkewMs) return undefined;
  const iso = (ms: number) => new Date(ms).toISOString();
  return (
    `event_time: ${iso(eventTime)} is more than ${maxFutureSkewMs} ms after the event arrived (${iso(arrivedAt)}); ` +
    'send the time the event happened, from a synchronised clock'
  );
}
