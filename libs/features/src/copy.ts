import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { InteractionEvent } from '@recstream/schemas';
import { logPayload } from './event-log-row.js';
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

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * Epoch ms as `Date.prototype.toISOString` writes it, by arithmetic (the
 * civil date from days since 1970, after H. Hinnant): every row of a COPY
 * has a time, and a Date per row cost several times as much. Years outside
 * 1000-9999 (never an event's) go through Date.
 */
export function isoTime(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1000 || year > 9999) return new Date(ms).toISOString();
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

export const EVENT_LOG_COPY = 'COPY event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload) FROM STDIN';
export const HISTORY_COPY = 'COPY feature_history (feature_view, entity_id, event_time, "values") FROM STDIN';

/** An interaction as a line of EVENT_LOG_COPY, with the columns and payload the stream's insert writes. */
export function eventLogLine(event: InteractionEvent): string {
  return (
    `${isoTime(event.event_time)}\t${copyField(event.event_id)}\t${copyField(event.type)}\t${copyField(event.user_id)}\t${copyField(event.item_id)}\t` +
    `${copyField(event.request_id)}\t${copyField(event.experiment)}\t${copyField(event.variant)}\t${copyJson(event.context)}\t${copyJson(logPayload(event))}\n`
  );
}

/** A history row as a line of HISTORY_COPY. */
export function historyLine(row: HistoryRow): string {
  return `${copyField(row.view)}\t${copyField(row.entityId)}\t${isoTime(row.eventTime)}\t${copyJson(row.values)}\n`;
}

/**
 * COPY lines gathered as UTF-8 into one buffer per chunk, written as they
 * come: a chunk is not first built as one long string and then encoded again.
 */
export class CopyLines {
  private buffer: Buffer;
  private length = 0;

  constructor(private readonly initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  add(line: string): void {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    if (this.length + 3 * line.length > this.buffer.length) this.grow(3 * line.length);
    this.length += this.buffer.write(line, this.length);
  }

  /** The lines added since the last take, in a buffer the caller keeps (the COPY stream holds it until sent). */
  take(): Buffer {
    const lines = this.buffer.subarray(0, this.length);
    this.buffer = Buffer.allocUnsafe(Math.max(this.initialBytes, this.length));
    this.length = 0;
    return lines;
  }

  private grow(needed: number): void {
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + needed));
    this.buffer.copy(larger, 0, 0, this.length);
    this.buffer = larger;
  }
}

/** Bytes buffered ahead of Postgres, so the caller computes the next rows while Postgres takes the last. */
const COPY_BUFFER_BYTES = 8 * 1024 * 1024;

/** A COPY ... FROM STDIN in progress on a client, written chunk by chunk of whole lines. */
export interface CopyWriter {
  /** Resolves once the chunk is buffered, waiting while Postgres is behind by more than the buffer. */
  write(lines: Buffer): Promise<void>;
  /** Ends the COPY; resolves with the rows Postgres took. */
  end(): Promise<number>;
  /** Abandons the COPY (Postgres rolls the statement back), leaving the client usable. */
  abort(error: Error): void;
}

export function copyWriter(client: pg.PoolClient, sql: string): CopyWriter {
  const stream = client.query(copyFrom(sql, { highWaterMark: COPY_BUFFER_BYTES }));
  let failure: Error | undefined;
  stream.on('error', (error: Error) => (failure ??= error));
  return {
    async write(lines) {
      if (failure) throw failure;
      if (lines.length > 0 && !stream.write(lines)) await once(stream, 'drain');
    },
    async end() {
      stream.end();
      await finished(stream);
      return stream.rowCount;
    },
    abort(error) {
      if (!stream.destroyed) stream.destroy(error);
    },
  };
}
