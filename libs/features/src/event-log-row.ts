import type { InteractionEvent } from '@recstream/schemas';

/**
 * How an interaction is kept in `event_log`: the fields queries filter and
 * join on are columns, and `payload` holds only the event's other fields
 * (schema version, rating, dwell, value, logged features), so each fact is
 * stored and parsed once (docs/decisions/backfill-history.md). Rows logged
 * before that hold the whole event in `payload`, with the same values the
 * columns hold; `eventFromLogRow` reads both alike.
 */
const COLUMN_FIELDS: ReadonlySet<string> = new Set(['event_time', 'event_id', 'type', 'user_id', 'item_id', 'request_id', 'experiment', 'variant', 'context']);

/** The event's fields that no event_log column holds: the row's payload. */
export function logPayload(event: InteractionEvent): Partial<InteractionEvent> {
  const payload: Record<string, unknown> = {};
  for (const field in event) if (!COLUMN_FIELDS.has(field)) payload[field] = event[field as keyof InteractionEvent];
  return payload;
}

/** An event_log row as `EVENT_LOG_COLUMNS_SQL` selects it. */
export interface EventLogRow {
  event_ms: number;
  event_id: string;
  type: InteractionEvent['type'];
  user_id: string;
  item_id: string;
  request_id: string | null;
  experiment: string | null;
  variant: string | null;
  context: InteractionEvent['context'];
  payload: Partial<InteractionEvent>;
}

/** The columns `eventFromLogRow` reads, for a SELECT from event_log. */
export const EVENT_LOG_COLUMNS_SQL =
  '(extract(epoch FROM event_time) * 1000)::float8 AS event_ms, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload';

/** The interaction an event_log row holds: its payload with the columns over it. */
export function eventFromLogRow(row: EventLogRow): InteractionEvent {
  const event = { ...row.payload, event_id: row.event_id, event_time: row.event_ms, type: row.type, user_id: row.user_id, item_id: row.item_id, context: row.context };
  if (row.request_id !== null) event.request_id = row.request_id;
  if (row.experiment !== null) event.experiment = row.experiment;
  if (row.variant !== null) event.variant = row.variant;
  return event as InteractionEvent;
}
