import type pg from 'pg';
import { retry } from '@recstream/platform';
import type { InteractionEvent, InteractionType } from '@recstream/schemas';
import { EVENT_LOG_COLUMNS_SQL, eventFromLogRow, logPayload, type EventLogRow } from './event-log-row.js';
import type { Watermark } from './plan.js';
import { DEFAULT_FEATURE_NAMESPACE, type FeatureView, type UserSequence } from './views.js';

/** A feature view's values for one entity as of an event time. */
export interface HistoryRow {
  view: string;
  entityId: string;
  eventTime: number;
  values: unknown;
}

/** An entity at a time: one row of the labels a point-in-time read answers. */
export interface Label {
  entityId: string;
  /** Epoch ms. */
  time: number;
}

export interface PartitionOffset extends Watermark {
  topic: string;
  partition: number;
}

export interface OfflineStoreOptions {
  /** Names this deployment's offsets in `feature_offsets`; the same as the online store's namespace. */
  namespace: string;
  /** Events per page when a rebuild scans the event log. */
  scanPageSize: number;
}

export const DEFAULT_OFFLINE_STORE_OPTIONS: OfflineStoreOptions = { namespace: DEFAULT_FEATURE_NAMESPACE, scanPageSize: 5_000 };

const ms = (column: string) => `to_timestamp(${column} / 1000.0)`;

/** Deadlock and serialization failures: the transaction did nothing and can run again. */
const RETRIED_CODES = new Set(['40P01', '40001']);

const byHistoryKey = (a: HistoryRow, b: HistoryRow) =>
  a.view < b.view ? -1 : a.view > b.view ? 1 : a.entityId < b.entityId ? -1 : a.entityId > b.entityId ? 1 : a.eventTime - b.eventTime;

/**
 * The Postgres offline store: the raw event log (idempotent by event id),
 * feature history for point-in-time reads, and the Kafka offsets both cover,
 * written by one statement per batch.
 */
export class OfflineStore {
  readonly options: OfflineStoreOptions;

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<OfflineStoreOptions> = {},
  ) {
    this.options = { ...DEFAULT_OFFLINE_STORE_OPTIONS, ...options };
  }

  /**
   * Appends events, upserts history rows and advances the partition's
   * offset, atomically. Concurrent batches upsert the same rows (hot items),
   * so rows go in key order, and a deadlock that still happens is retried.
   */
  async writeBatch(batch: { events: readonly InteractionEvent[]; history: readonly HistoryRow[]; offset?: PartitionOffset }): Promise<void> {
    const history = [...batch.history].sort(byHistoryKey);
    await retry({ retries: 5, initialDelayMs: 20 })(async (bail) => {
      try {
        await this.transaction(batch.events, history, batch.offset);
      } catch (error) {
        if (!RETRIED_CODES.has((error as { code?: string }).code ?? '')) bail(error);
        throw error;
      }
    });
  }

  /** One statement (data-modifying CTEs), so one round trip and its own transaction. */
  private async transaction(events: readonly InteractionEvent[], history: readonly HistoryRow[], offset: PartitionOffset | undefined): Promise<void> {
    await this.pool.query(WRITE_BATCH_SQL, [
      JSON.stringify(events.map((event) => ({ ...event, payload: logPayload(event) }))),
      JSON.stringify(history.map((row) => ({ view: row.view, entity_id: row.entityId, t: row.eventTime, v: row.values }))),
      this.options.namespace,
      offset?.topic ?? null,
      offset?.partition ?? null,
      offset?.offset ?? null,
      offset?.streamTime ?? null,
    ]);
  }

  async readOffsets(): Promise<PartitionOffset[]> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; offset: string; stream_time: string }>(
      `SELECT topic, "partition", "offset"::text AS "offset", (extract(epoch FROM stream_time) * 1000)::bigint::text AS stream_time
         FROM feature_offsets WHERE namespace = $1 ORDER BY topic, "partition"`,
      [this.options.namespace],
    );
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, offset: row.offset, streamTime: Number(row.stream_time) }));
  }

  /** Sets a partition's stream time outright, its offset kept: only for a watermark repair, while no feature builder runs. */
  async setStreamTime(topic: string, partition: number, streamTime: number): Promise<void> {
    await this.pool.query(
      `UPDATE feature_offsets SET stream_time = ${ms('$4::float8')}, updated_at = now() WHERE namespace = $1 AND topic = $2 AND "partition" = $3`,
      [this.options.namespace, topic, partition, streamTime],
    );
  }

  /** How many logged events are dated after `time`, epoch ms. */
  async countEventsAfter(time: number): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_log WHERE event_time > ${ms('$1::float8')}`, [time]);
    return rows[0]!.n;
  }

  /** The whole event log in event-time order, a page at a time (keyset pagination). */
  async *scanEvents(): AsyncGenerator<InteractionEvent[]> {
    let cursor: [string, string] = ['-infinity', ''];
    for (;;) {
      const { rows } = await this.pool.query<EventLogRow & { cursor_time: string }>(
        `SELECT event_time::text AS cursor_time, ${EVENT_LOG_COLUMNS_SQL} FROM event_log
          WHERE (event_time, event_id) > ($1::timestamptz, $2) ORDER BY event_time, event_id LIMIT $3`,
        [...cursor, this.options.scanPageSize],
      );
      if (rows.length === 0) return;
      yield rows.map(eventFromLogRow);
      const last = rows.at(-1)!;
      cursor = [last.cursor_time, last.event_id];
    }
  }

  /** The latest history row of every entity of a view (for rebuilding views the event log does not hold). */
  async latest(view: FeatureView): Promise<HistoryRow[]> {
    const { rows } = await this.pool.query<{ entity_id: string; event_time: string; values: unknown }>(
      `SELECT DISTINCT ON (entity_id) entity_id, (extract(epoch FROM event_time) * 1000)::bigint::text AS event_time, "values"
         FROM feature_history WHERE feature_view = $1 ORDER BY entity_id, event_time DESC, created_time DESC`,
      [view.name],
    );
    return rows.map((row) => ({ view: view.name, entityId: row.entity_id, eventTime: Number(row.event_time), values: row.values }));
  }

  /**
   * Point-in-time read: for each (entity, time), the view's values with the
   * latest event time at or before that time and within the view's TTL, or
   * null. The same query the sample generator embeds (`pointInTimeSql`).
   */
  async readPointInTime(view: FeatureView, labels: readonly Label[]): Promise<unknown[]> {
    const rows = await this.queryLabels<{ values: unknown }>(pointInTimeSql(view, 'labels'), labels);
    const byLabel = new Map(rows.map((row) => [Number(row.label_id), row.values]));
    return labels.map((_, i) => byLabel.get(i + 1) ?? null);
  }

  /** Point-in-time behaviour sequences from the event log (`sequencePointInTimeSql`), oldest first. */
  async readSequencesAt(labels: readonly Label[], length: number): Promise<UserSequence[]> {
    const rows = await this.queryLabels<{ item_id: string; type: InteractionType; time: string; category: string | null }>(sequencePointInTimeSql('labels', length), labels);
    const sequences = labels.map((): UserSequence => ({ items: [] }));
    for (const row of rows) {
      const entry = { item_id: row.item_id, type: row.type, time: Number(row.time), ...(row.category !== null && { category: row.category }) };
      sequences[Number(row.label_id) - 1]!.items.unshift(entry);
    }
    return sequences;
  }

  /** Runs `sql` with a `labels` relation (label_id from 1, entity_id, label_time) built from `labels`. */
  private async queryLabels<R extends pg.QueryResultRow>(sql: string, labels: readonly Label[]): Promise<(R & { label_id: string })[]> {
    const { rows } = await this.pool.query<R & { label_id: string }>(
      `WITH labels AS (
         SELECT n AS label_id, entity_id, ${ms('t')} AS label_time
           FROM unnest($1::text[], $2::float8[]) WITH ORDINALITY AS l(entity_id, t, n)
       ) ${sql}`,
      [labels.map((l) => l.entityId), labels.map((l) => l.time)],
    );
    return rows;
  }
}

/**
 * Feast's point-in-time join: for every label row (label_id, entity_id,
 * label_time) of `labels`, rank the view's history rows of that entity with
 * event_time <= label_time and within the TTL, newest first, and keep the
 * first. Returns label_id and values; labels with no row are absent.
 */
export function pointInTimeSql(view: FeatureView, labels: string): string {
  return `SELECT label_id, "values" FROM (
      SELECT l.label_id, h."values",
             ROW_NUMBER() OVER (PARTITION BY l.label_id ORDER BY h.event_time DESC, h.created_time DESC) AS rank
        FROM ${labels} l
        JOIN feature_history h
          ON h.feature_view = '${view.name}' AND h.entity_id = l.entity_id
         AND h.event_time <= l.label_time AND h.event_time > l.label_time - interval '${view.ttlMs} milliseconds'
    ) ranked WHERE rank = 1`;
}

/**
 * The behaviour sequence as of each label: the user's latest `length`
 * non-exposure interactions at or before label_time, newest first (rank 1),
 * ranked with ROW_NUMBER over the (user_id, event_time) index, each with
 * its item's first category from the latest catalogue attributes (the
 * online builder stamps the category it knows when it applies the event;
 * the two differ only for an item whose category changed since).
 */
export function sequencePointInTimeSql(labels: string, length: number): string {
  return `SELECT label_id, ranked.item_id, type, time, categories.category FROM (
      SELECT l.label_id, e.item_id, e.type, (extract(epoch FROM e.event_time) * 1000)::bigint::text AS time,
             ROW_NUMBER() OVER (PARTITION BY l.label_id ORDER BY e.event_time DESC, e.event_id DESC) AS rank
        FROM ${labels} l
        JOIN event_log e ON e.user_id = l.entity_id AND e.event_time <= l.label_time AND e.type <> 'exposure'
    ) ranked
    LEFT JOIN (
      SELECT DISTINCT ON (entity_id) entity_id AS item_id, "values"->'categories'->>0 AS category
        FROM feature_history WHERE feature_view = 'item_attributes'
       ORDER BY entity_id, event_time DESC, created_time DESC
    ) categories ON categories.item_id = ranked.item_id
    WHERE rank <= ${Math.floor(length)} ORDER BY label_id, rank`;
}

/*
 * The event log append (idempotent by event), the history upsert and the
 * offset advance (only forwards) as one statement. Rows travel as JSON
 * documents read with json_to_recordset: serializing them is native in
 * Node, where pg's per-element array escaping cost a large share of a
 * batch's CPU time.
 */
const WRITE_BATCH_SQL = `
  WITH events AS (
    INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload)
    SELECT ${ms('r.event_time')}, r.event_id, r.type, r.user_id, r.item_id, r.request_id, r.experiment, r.variant, r.context, r.payload
      FROM json_to_recordset($1::json) AS r(event_time float8, event_id text, type text, user_id text, item_id text,
                                           request_id text, experiment text, variant text, context jsonb, payload jsonb)
    ON CONFLICT DO NOTHING
  ), history AS (
    INSERT INTO feature_history (feature_view, entity_id, event_time, "values")
    SELECT r.view, r.entity_id, ${ms('r.t')}, r.v FROM json_to_recordset($2::json) AS r(view text, entity_id text, t float8, v jsonb)
    ON CONFLICT (feature_view, entity_id, event_time) DO UPDATE SET "values" = EXCLUDED."values", created_time = now()
  ), offsets AS (
    INSERT INTO feature_offsets (namespace, topic, "partition", "offset", stream_time)
    SELECT $3, $4, $5, $6, ${ms('$7::float8')} WHERE $4::text IS NOT NULL
    ON CONFLICT (namespace, topic, "partition") DO UPDATE
      SET "offset" = EXCLUDED."offset", stream_time = EXCLUDED.stream_time, updated_at = now()
      WHERE feature_offsets."offset" < EXCLUDED."offset"
  )
  SELECT 1`;
