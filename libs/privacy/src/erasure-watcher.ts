import type pg from 'pg';
import { CoalescedRun, type Logger } from '@recstream/platform';

/** The NOTIFY channel `UserEraser` announces each erasure on (payload: the erasure id, never the user id). */
export const ERASURE_CHANNEL = 'user_erasures';

/** One recorded erasure, as processes that hold models need it. */
export interface Erasure {
  erasureId: number;
  userId: string;
}

export interface ErasureWatcherOptions {
  /** Erasures are also polled this often, in case a NOTIFY was missed (e.g. while reconnecting). */
  pollIntervalMs: number;
}

export const DEFAULT_ERASURE_WATCHER_OPTIONS: ErasureWatcherOptions = { pollIntervalMs: 5_000 };

/** Erasures recorded after `afterId` (null: all of them), oldest first. */
export async function erasuresAfter(pool: pg.Pool, afterId: number | null): Promise<Erasure[]> {
  const { rows } = await pool.query<{ erasure_id: string; user_id: string }>(
    'SELECT erasure_id, user_id FROM user_erasures WHERE erasure_id > $1 ORDER BY erasure_id',
    [afterId ?? 0],
  );
  return rows.map((row) => ({ erasureId: Number(row.erasure_id), userId: row.user_id }));
}

/**
 * Tells a running process (the online updater, serving) of each new
 * erasure within moments: it LISTENs on `ERASURE_CHANNEL` and polls as a
 * fallback, and hands every erasure after the last one seen to `onErased`,
 * in order, exactly once. `onErased` runs synchronously, so the caller can
 * drop the user's state between two units of its own work.
 */
export class ErasureWatcher {
  readonly options: ErasureWatcherOptions;
  private through: number | null = null;
  private listener?: pg.PoolClient;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly checks = new CoalescedRun(() => this.readErasures(), () => this.closed);

  constructor(
    private readonly deps: { pool: pg.Pool; logger: Logger; onErased: (erasures: Erasure[]) => void },
    options: Partial<ErasureWatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_ERASURE_WATCHER_OPTIONS, ...options };
  }

  /** The latest erasure handed over (null: none yet). */
  get throughErasureId(): number | null {
    return this.through;
  }

  /** Starts watching for erasures after `afterId` (which the caller has honoured already); resolves after a first check. */
  async start(afterId: number | null): Promise<void> {
    this.through = afterId;
    const listener = await this.deps.pool.connect();
    // A close that came while connecting found no listener to release.
    if (this.closed) {
      listener.release();
      return;
    }
    this.listener = listener;
    this.listener.on('notification', () => void this.check());
    this.listener.on('error', (error) => this.deps.logger.warn({ err: error }, 'erasure listener failed; polling continues'));
    await this.listener.query(`LISTEN ${ERASURE_CHANNEL}`);
    await this.check();
    if (this.closed) return;
    this.timer = setInterval(() => void this.check(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** Reads and hands over new erasures; calls during a check schedule one more. */
  check(): Promise<void> {
    return this.checks.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.checks.settled();
    if (this.listener) {
      await this.listener.query(`UNLISTEN ${ERASURE_CHANNEL}`).catch(() => undefined);
      this.listener.release();
    }
  }

  private async readErasures(): Promise<void> {
    try {
      const erasures = await erasuresAfter(this.deps.pool, this.through);
      if (erasures.length === 0 || this.closed) return;
      this.through = erasures.at(-1)!.erasureId;
      this.deps.onErased(erasures);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'reading erasures failed; the next poll retries');
    }
  }
}
