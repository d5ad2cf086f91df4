import type pg from 'pg';
import type { InteractionEvent } from '@recstream/schemas';
import type { Watermark } from './plan.js';
import type { FeatureView } from './views.js';

/** A feature view's values for one entity as of an event time. */
export interface HistoryRow {
  view: string;
  entityId: string;
  eventTime: number;
  values: unknown;
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

export const DEFAULT_OFFLINE_STORE_OPTIONS: OfflineStoreOptions = { namespace: 'fs', scanPageSize: 5_000 };

const ms = (column: string) => `to_timestamp(${column} / 1000.0)`;

/**
 * The Postgres offline store: the raw event log (idempotent by event id),
 * feature history for point-in-time reads, and the Kafka offsets both cover,
 * written in one transaction per batch with multi-row INSERTs over unnest().
 */
export class OfflineStore {
  readonly options: OfflineStoreOptions;

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<OfflineStoreOptions> = {},
  ) {
    this.options = { ...DEFAULT_OFFLINE_STORE_OPTIONS, ...options };
  }

  /** Appends events, upserts history rows and advances the partition's offset, atomically. */
  async writeBatch(batch: { events: readonly InteractionEvent[]; history: readonly HistoryRow[]; offset?: PartitionOffset }): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await appendEvents(client, batch.events);
      await upsertHistory(client, batch.history);
      if (batch.offset) await this.saveOffset(client, batch.offset);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async readOffsets(): Promise<PartitionOffset[]> {
    const { rows } = await this.pool.query<{ topic: string; partition: number; offset: string; stream_time: string }>(
      `SELECT topic, "partition", "offset"::text AS "offset", (extract(epoch FROM stream_time) * 1000)::bigint::text AS stream_time
         FROM feature_offsets WHERE namespace = $1 ORDER BY topic, "partition"`,
      [this.options.namespace],
    );
    return rows.map((row) => ({ topic: row.topic, partition: row.partition, offset: row.offset, streamTime: Number(row.stream_time) }));
  }

  /** The whole event log in event-time order, a page at a time (keyset pagination). */
  async *scanEvents(): AsyncGenerator<InteractionEvent[]> {
    let cursor: [string, string] = ['-infinity', ''];
    for (;;) {
      const { rows } = await this.pool.query<{ cursor_time: string; event_id: string; payload: InteractionEvent }>(
        `SELECT event_time::text AS cursor_time, event_id, payload FROM event_log
          WHERE (event_time, event_id) > ($1::timestamptz, $2) ORDER BY event_time, event_id LIMIT $3`,
        [...cursor, this.options.scanPageSize],
      );
      if (rows.length === 0) return;
      yield rows.map((row) => row.payload);
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
  async readPointInTime(view: FeatureView, labels: readonly { entityId: string; time: number }[]): Promise<unknown[]> {
    const sql = `WITH labels AS (
        SELECT n AS label_id, entity_id, ${ms('t')} AS label_time
          FROM unnest($1::text[], $2::float8[]) WITH ORDINALITY AS l(entity_id, t, n)
      ) ${pointInTimeSql(view, 'labels')}`;
    const { rows } = await this.pool.query<{ label_id: string; values: unknown }>(sql, [labels.map((l) => l.entityId), labels.map((l) => l.time)]);
    const byLabel = new Map(rows.map((row) => [Number(row.label_id), row.values]));
    return labels.map((_, i) => byLabel.get(i + 1) ?? null);
  }

  private async saveOffset(client: pg.PoolClient, offset: PartitionOffset): Promise<void> {
    await client.query(
      `INSERT INTO feature_offsets (namespace, topic, "partition", "offset", stream_time) VALUES ($1, $2, $3, $4, ${ms('$5::float8')})
       ON CONFLICT (namespace, topic, "partition") DO UPDATE
         SET "offset" = EXCLUDED."offset", stream_time = EXCLUDED.stream_time, updated_at = now()
         WHERE feature_offsets."offset" < EXCLUDED."offset"`,
      [this.options.namespace, offset.topic, offset.partition, offset.offset, offset.streamTime],
    );
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

async function appendEvents(client: pg.PoolClient, events: readonly InteractionEvent[]): Promise<void> {
  if (events.length === 0) return;
  const column = <T>(pick: (event: InteractionEvent) => T) => events.map(pick);
  await client.query(
    `INSERT INTO event_log (event_time, event_id, type, user_id, item_id, request_id, experiment, variant, context, payload)
     SELECT ${ms('t')}, id, type, user_id, item_id, request_id, experiment, variant, context::jsonb, payload::jsonb
       FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS u(t, id, type, user_id, item_id, request_id, experiment, variant, context, payload)
     ON CONFLICT DO NOTHING`,
    [
      column((e) => e.event_time),
      column((e) => e.event_id),
      column((e) => e.type),
      column((e) => e.user_id),
      column((e) => e.item_id),
      column((e) => e.request_id ?? null),
      column((e) => e.experiment ?? null),
      column((e) => e.variant ?? null),
      column((e) => JSON.stringify(e.context)),
      column((e) => JSON.stringify(e)),
    ],
  );
}

async function upsertHistory(client: pg.PoolClient, rows: readonly HistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await client.query(
    `INSERT INTO feature_history (feature_view, entity_id, event_time, "values")
     SELECT view, entity_id, ${ms('t')}, v::jsonb FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS u(view, entity_id, t, v)
     ON CONFLICT (feature_view, entity_id, event_time) DO UPDATE SET "values" = EXCLUDED."values", created_time = now()`,
    [rows.map((r) => r.view), rows.map((r) => r.entityId), rows.map((r) => r.eventTime), rows.map((r) => JSON.stringify(r.values))],
  );
}
