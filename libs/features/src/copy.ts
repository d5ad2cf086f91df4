import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { InteractionEvent } from '@recstream/schemas';
import type { HistoryRow } from './offline-store.js';

/**
 * Bulk loading with COPY ... FROM STDIN in its text format: rows are lines,
 * fields are separated by tabs, and backslash, tab, newline and carriage
 * return inside a field are escaped.
 */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const SPECIAL = /[\\\t\n\r]/g;

/** One field in COPY's text format; null is `\N`. */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  SPECIAL.lastIndex = 0;
  return SPECIAL.test(value) ? value.replace(SPECIAL, (c) => ESCAPES[c]!) : value;
}

/** JSON as a COPY field: JSON.stringify escapes every control character, so only its backslashes need doubling. */
export function copyJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replaceAll('\\', '\\\\') : json;
}

const iso = (ms: number) => new Date(ms).toISOString();

export const EVENT_LOG_COPY = 'COPY event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload) FROM STDIN';
export const HISTORY_COPY = 'COPY feature_history (feature_view, entity_id, event_time, "values") FROM STDIN';

/** An interaction as a line of EVENT_LOG_COPY, with the columns the stream's insert fills. */
export function eventLogLine(event: InteractionEvent): string {
  const fields = [iso(event.event_time), event.event_id, event.type, event.user_id, event.item_id, event.request_id, event.experiment, event.variant];
  return `${fields.map(copyField).join('\t')}\t${copyJson(event.context)}\t${copyJson(event)}\n`;
}

/** A history row as a line of HISTORY_COPY. */
export function historyLine(row: HistoryRow): string {
  return `${copyField(row.view)}\t${copyField(row.entityId)}\t${iso(row.eventTime)}\t${copyJson(row.values)}\n`;
}

/** Bytes buffered ahead of Postgres, so the caller computes the next rows while Postgres takes the last. */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

/** Streams text chunks (whole lines) into a COPY statement on the client, with backpressure; resolves with the rows Postgres took. */
export async function copyInto(client: pg.PoolClient, sql: string, chunks: Iterable<string> | AsyncIterable<string>): Promise<number> {
  const stream = client.query(copyFrom(sql, { highWaterMark: COPY_BUFFER_BYTES }));
  await pipeline(Readable.from(chunks, { objectMode: false, highWaterMark: COPY_BUFFER_BYTES }), stream);
  return stream.rowCount;
}
