import type { Redis } from 'ioredis';
import type { Logger } from '@recstream/platform';
import { KeyLayout } from './keys.js';

/** Where Redis publishes invalidations when tracking is redirected to a RESP2 connection. */
const INVALIDATE_CHANNEL = '__redis__:invalidate';

/** An item whose row changed, or null when any row may have (a flush, or tracking lost). */
export type ItemRowChange = (itemId: string | null) => void;

/**
 * Tells an online reader which item feature rows it may keep in process,
 * through Redis's server-assisted client-side caching: CLIENT TRACKING in
 * broadcasting mode over the item-row prefix, redirected to a connection of
 * its own, reports every write, expiry or eviction of an item row, and the
 * reader drops its copy as the report arrives.
 *
 * A reply and a report travel on different connections, so a row read just
 * before it changed can arrive after the change was reported. A reader takes
 * a `readStarted()` token before it reads and keeps what it read only if
 * `stillCurrent(token)`: no report came in between. When the tracking
 * connection drops, listeners hear `null` (forget everything) and nothing
 * may be kept until tracking is back, since changes meanwhile go unreported.
 */
export class ItemRowTracking {
  private readonly connection: Redis;
  private readonly prefix: string;
  /** Bumped by every report and every loss of tracking. */
  private changes = 0;
  private drops = 0;
  private live = false;
  private closed = false;
  private setup: Promise<void> = Promise.resolve();
  private readonly listeners: ItemRowChange[] = [];

  constructor(
    redis: Redis,
    namespace: string,
    private readonly logger: Logger,
  ) {
    this.prefix = new KeyLayout(namespace).row('item', '');
    // Subscribing after a reconnect is this class's job: tracking has to be switched on first, with the new client id.
    // Named so that CLIENT LIST shows which namespace a connection tracks.
    this.connection = redis.duplicate({ lazyConnect: true, autoResubscribe: false, enableOfflineQueue: true, connectionName: `item-rows:${namespace}` });
    this.connection.on('ready', () => (this.setup = this.track()));
    this.connection.on('close', () => this.lose());
    this.connection.on('error', (error) => logger.debug({ err: error }, 'item row tracking connection error'));
    this.connection.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
      if (channel.toString() === INVALIDATE_CHANNEL) this.report(message);
    });
  }

  /** Resolves once Redis tracks the item rows; rejects where it cannot (Redis before 6), and nothing is ever kept. */
  async connect(): Promise<void> {
    await this.connection.connect();
    await this.setup;
    if (!this.live) throw new Error(`Redis refused CLIENT TRACKING on ${this.prefix}* (it needs Redis 6 or later); item rows will be read from Redis every time`);
  }

  disconnect(): void {
    this.closed = true;
    this.connection.disconnect();
    this.lose();
  }

  onChange(listener: ItemRowChange): void {
    this.listeners.push(listener);
  }

  /** Taken before a read; null while nothing may be kept. */
  readStarted(): number | null {
    return this.live ? this.changes : null;
  }

  /** Whether rows read since `token` was taken may be kept. */
  stillCurrent(token: number | null): boolean {
    return token !== null && this.live && token === this.changes;
  }

  private async track(): Promise<void> {
    if (this.closed) return;
    const drops = this.drops;
    try {
      const id = String(await this.connection.client('ID'));
      await this.connection.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', id, 'BCAST', 'PREFIX', this.prefix);
      await this.connection.subscribe(INVALIDATE_CHANNEL);
    } catch (error) {
      // A connection lost mid-setup is not a refusal: the next 'ready' tries again.
      if (drops === this.drops) this.logger.warn({ err: error, prefix: this.prefix }, 'Redis refused item row tracking; item rows are read from Redis every time');
      return;
    }
    // A drop while this was being set up voids it; the next 'ready' tries again.
    if (drops === this.drops && !this.closed) this.live = true;
  }

  private lose(): void {
    const wasLive = this.live;
    this.live = false;
    this.changes++;
    this.drops++;
    if (wasLive) this.notify(null);
  }

  private report(message: Buffer[] | Buffer | null): void {
    this.changes++;
    // A null report: every key may have changed (FLUSHDB, FLUSHALL).
    if (message === null) return this.notify(null);
    for (const key of Array.isArray(message) ? message : [message]) this.notify(key.toString().slice(this.prefix.length));
  }

  private notify(itemId: string | null): void {
    for (const listener of this.listeners) listener(itemId);
  }
}
