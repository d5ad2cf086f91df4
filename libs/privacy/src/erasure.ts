import type pg from 'pg';
import { DEFAULT_FEATURE_NAMESPACE, KeyLayout, USER_VIEWS } from '@recstream/features';
import { NonRetriableError, isCluster, type RedisClient } from '@recstream/platform';
import { MAX_ID_LENGTH } from '@recstream/schemas';
import { ERASURE_CHANNEL } from './erasure-watcher.js';

export interface UserEraserOptions {
  /** The online store's namespace (`FEATURE_NAMESPACE`), whose user hash is deleted. */
  namespace: string;
}

export const DEFAULT_USER_ERASER_OPTIONS: UserEraserOptions = { namespace: DEFAULT_FEATURE_NAMESPACE };

export interface ErasureRequest {
  userId: string;
  /** Who asked for it (an operator or ticket reference); recorded with the erasure. */
  requestedBy: string;
  reason?: string;
}

/** Rows removed per Postgres table, and keys removed from Redis. */
export interface ErasureCounts {
  event_log: number;
  feature_history: number;
  samples: number;
  sample_features: number;
  redis_keys: number;
}

/** The places an erasure removes from, in the order reports list them. */
export const ERASED_PLACES: readonly (keyof ErasureCounts)[] = ['event_log', 'feature_history', 'samples', 'sample_features', 'redis_keys'];

export interface ErasureRecord {
  erasureId: number;
  userId: string;
  requestedBy: string;
  reason: string | null;
  removed: Partial<ErasureCounts>;
  requestedAt: Date;
  /** Null until the online store was cleared too; run the erasure again to finish it. */
  completedAt: Date | null;
}

const MAX_REQUESTER_LENGTH = 200;
const MAX_REASON_LENGTH = 2_000;
const USER_VIEW_NAMES = USER_VIEWS.map((view) => view.name);

/*
 * Everything Postgres keeps about one user, removed in one statement (so in
 * one transaction) together with the record of the erasure, which is
 * announced on `ERASURE_CHANNEL` at commit (running models drop the user):
 * the event log, the user's feature history (user views only: an item may
 * share the id), the user's training samples and their point-in-time feature
 * rows (a user key belongs to one user and label time). `samples` has no user_id index:
 * erasures are rare, and a scan of the samples is cheaper than slowing every
 * dataset build with one more index.
 */
const ERASE_SQL = `
  WITH erased_events AS (
    DELETE FROM event_log WHERE user_id = $1 RETURNING 1
  ), erased_history AS (
    DELETE FROM feature_history WHERE entity_id = $1 AND feature_view = ANY($2::text[]) RETURNING 1
  ), erased_samples AS (
    DELETE FROM samples WHERE user_id = $1 RETURNING dataset_version, user_key
  ), erased_sample_features AS (
    DELETE FROM sample_features f USING (SELECT DISTINCT dataset_version, user_key FROM erased_samples) s
     WHERE f.entity = 'user' AND f.dataset_version = s.dataset_version AND f.key = s.user_key RETURNING 1
  ), recorded AS (
    INSERT INTO user_erasures (user_id, requested_by, reason, removed)
    SELECT $1, $3, $4, jsonb_build_object(
             'event_log', (SELECT count(*) FROM erased_events),
             'feature_history', (SELECT count(*) FROM erased_history),
             'samples', (SELECT count(*) FROM erased_samples),
             'sample_features', (SELECT count(*) FROM erased_sample_features))
    RETURNING *
  )
  SELECT recorded.*, pg_notify('${ERASURE_CHANNEL}', erasure_id::text) FROM recorded`;

/**
 * Erases a user: their events, feature history, training samples and
 * sample features from Postgres, their online features and behaviour
 * sequence from Redis, and, through `user_erasures`, their embedding rows
 * from every model snapshot registered afterwards (see `erasedUsers`) and
 * from the models the online updater and serving hold (`ErasureWatcher`).
 *
 * Postgres goes first, in one transaction with the erasure record, so the
 * trainer knows about the erasure as soon as any data is gone; the record is
 * completed after Redis. Running it again for the same user is safe and
 * finishes an erasure whose Redis step failed.
 */
export class UserEraser {
  readonly options: UserEraserOptions;
  private readonly keys: KeyLayout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly redis: RedisClient,
    options: Partial<UserEraserOptions> = {},
  ) {
    this.options = { ...DEFAULT_USER_ERASER_OPTIONS, ...options };
    // On a cluster an entity's keys share its id's hash tag, so they go in one UNLINK.
    this.keys = new KeyLayout(this.options.namespace, isCluster(redis));
  }

  async erase(request: ErasureRequest): Promise<ErasureRecord> {
    // A longer id cannot have been accepted by the event contract, so it names nobody: most likely a typo.
    if (request.userId.length === 0 || request.userId.length > MAX_ID_LENGTH) throw new NonRetriableError(`userId: must be 1 to ${MAX_ID_LENGTH} characters`);
    if (request.requestedBy.trim().length === 0 || request.requestedBy.length > MAX_REQUESTER_LENGTH) {
      throw new NonRetriableError(`requestedBy: must name who asked for the erasure in 1 to ${MAX_REQUESTER_LENGTH} characters`);
    }
    if ((request.reason?.length ?? 0) > MAX_REASON_LENGTH) throw new NonRetriableError(`reason: must be at most ${MAX_REASON_LENGTH} characters`);
    const { rows } = await this.pool.query(ERASE_SQL, [request.userId, USER_VIEW_NAMES, request.requestedBy, request.reason ?? null]);
    const record = toRecord(rows[0]);
    const redisKeys = await this.redis.unlink(...this.keys.entityKeys('user', request.userId));
    const completed = await this.pool.query(
      `UPDATE user_erasures SET removed = removed || jsonb_build_object('redis_keys', $2::int), completed_at = now()
        WHERE erasure_id = $1 RETURNING *`,
      [record.erasureId, redisKeys],
    );
    return toRecord(completed.rows[0]);
  }

  /** Every erasure of a user, oldest first (an empty list: never erased). */
  async history(userId: string): Promise<ErasureRecord[]> {
    const { rows } = await this.pool.query('SELECT * FROM user_erasures WHERE user_id = $1 ORDER BY erasure_id', [userId]);
    return rows.map(toRecord);
  }
}

/** The erased user ids, and the latest erasure they cover (null: none yet), for filtering model snapshots. */
export interface ErasedUsers {
  userIds: string[];
  throughErasureId: number | null;
}

/**
 * Every user ever erased. An erased id stays erased: model snapshots never
 * carry a row for it again, even if events with that id arrive later.
 */
export async function erasedUsers(pool: pg.Pool): Promise<ErasedUsers> {
  const { rows } = await pool.query<{ user_ids: string[] | null; through: string | null }>(
    'SELECT array_agg(DISTINCT user_id) AS user_ids, max(erasure_id)::text AS through FROM user_erasures',
  );
  const row = rows[0]!;
  return { userIds: row.user_ids ?? [], throughErasureId: row.through === null ? null : Number(row.through) };
}

interface ErasureRow {
  erasure_id: string;
  user_id: string;
  requested_by: string;
  reason: string | null;
  removed: Partial<ErasureCounts>;
  requested_at: Date;
  completed_at: Date | null;
}

function toRecord(row: ErasureRow): ErasureRecord {
  return {
    erasureId: Number(row.erasure_id),
    userId: row.user_id,
    requestedBy: row.requested_by,
    reason: row.reason,
    removed: row.removed,
    requestedAt: row.requested_at,
    completedAt: row.completed_at,
  };
}
