/**
 * Event-time progress of one Kafka partition. Stream time is the latest
 * event time seen; an event older than stream time is out of order, and one
 * older than stream time minus the allowed lateness is late: its window
 * buckets may already have been materialized and dropped, so it is not
 * counted (it still reaches the event log).
 */
export type Arrival = 'in_order' | 'out_of_order' | 'late';

export function classifyArrival(eventTime: number, streamTime: number, allowedLatenessMs: number): Arrival {
  if (eventTime >= streamTime) return 'in_order';
  return eventTime >= streamTime - allowedLatenessMs ? 'out_of_order' : 'late';
}
