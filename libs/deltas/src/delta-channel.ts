import { decodeDelta, encodeDelta, type ModelDelta } from '@recstream/models';
import { RecstreamError, isCluster, type RedisClient } from '@recstream/platform';

export interface DeltaChannelOptions {
  /** Key prefix of the delta streams in Redis. */
  prefix: string;
  /** Entries kept per stream (approximately): a server loading a version older than that many deltas reloads a newer snapshot first. */
  maxEntries: number;
  /** A stream nobody writes to any more expires after this long. */
  ttlMs: number;
}

export const DEFAULT_DELTA_CHANNEL_OPTIONS: DeltaChannelOptions = { prefix: 'online', maxEntries: 20_000, ttlMs: 7 * 86_400_000 };

/** One published delta as read back. */
export interface DeltaEntry {
  /** The stream entry id: deltas are applied in this order. */
  id: string;
  delta: ModelDelta;
  /** Epoch ms the updater published it, for measuring how long rows take to reach serving. */
  publishedAt: number;
}

/**
 * The stream of the lineage `lineageKey` names. `clustered`: the prefix is a hash tag, so every
 * lineage's stream shares one slot and one XREAD can follow them all.
 */
export function deltaStreamKey(prefix: string, lineageKey: string, clustered = false): string {
  return `${clustered ? `{${prefix}}` : prefix}:deltas:${lineageKey}`;
}

/**
 * Touched rows travel from the online updater to serving as a Redis stream
 * per model lineage (see lineage.ts): durable and ordered, so a server that
 * loads a snapshot reads exactly the deltas published after it, and a
 * server that blocks on the stream sees a delta the moment it is added.
 */
export class DeltaChannel {
  readonly options: DeltaChannelOptions;
  private readonly clustered: boolean;

  constructor(
    private readonly redis: RedisClient,
    options: Partial<DeltaChannelOptions> = {},
  ) {
    this.options = { ...DEFAULT_DELTA_CHANNEL_OPTIONS, ...options };
    this.clustered = isCluster(redis);
  }

  /** Appends a delta to the lineage's stream; returns its entry id. */
  async publish(lineageKey: string, delta: ModelDelta): Promise<string> {
    return appendEntry(this.redis, this.key(lineageKey), ['delta', Buffer.from(encodeDelta(delta)), 'published_at', Date.now()], this.options);
  }

  /** Entries after `afterId`, oldest first, at most `count`. */
  async read(lineageKey: string, afterId: string, count: number): Promise<DeltaEntry[]> {
    const entries = await readEntries(this.redis, this.key(lineageKey), afterId, count);
    return entries.map(({ id, fields }) => toEntry(id, fields));
  }

  /** The id of the lineage's latest entry; null when its stream is empty. */
  async lastId(lineageKey: string): Promise<string | null> {
    const [latest] = await this.redis.xrevrange(this.key(lineageKey), '+', '-', 'COUNT', 1);
    return latest?.[0] ?? null;
  }

  /**
   * Waits up to `blockMs` for entries after the given ids (keyed by lineage
   * key) on any of the lineages (a blocking read: give this channel a
   * connection of its own); answers keyed by lineage key.
   */
  async follow(after: ReadonlyMap<string, string>, blockMs: number, count: number): Promise<Map<string, DeltaEntry[]>> {
    const lineageKeys = [...after.keys()];
    const reply = await this.redis.xreadBuffer(
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      ...lineageKeys.map((lineageKey) => this.key(lineageKey)),
      ...lineageKeys.map((lineageKey) => after.get(lineageKey)!),
    );
    const out = new Map<string, DeltaEntry[]>();
    for (const [key, entries] of reply ?? []) {
      out.set(key.toString().slice(this.key('').length), entries.map(([id, fields]) => toEntry(id.toString(), fieldsOf(fields))));
    }
    return out;
  }

  private key(lineageKey: string): string {
    return deltaStreamKey(this.options.prefix, lineageKey, this.clustered);
  }
}

/**
 * Appends an entry of `fields` (name, value, ...) to the stream at `key`,
 * trimmed to about `maxEntries` and expiring `ttlMs` after the last write;
 * returns its id.
 */
export async function appendEntry(redis: RedisClient, key: string, fields: (string | number | Buffer)[], options: DeltaChannelOptions): Promise<string> {
  const replies = (await redis.multi().xadd(key, 'MAXLEN', '~', options.maxEntries, '*', ...fields).pexpire(key, options.ttlMs).exec()) ?? [];
  const failed = replies.find(([error]) => error)?.[0];
  if (failed || replies.length !== 2) throw new RecstreamError(`appending to ${key} failed: ${failed?.message ?? 'transaction aborted'}`, { cause: failed });
  return replies[0]![1] as string;
}

/** Entries of the stream at `key` after `afterId`, oldest first, at most `count`, with their fields by name. */
export async function readEntries(redis: RedisClient, key: string, afterId: string, count: number): Promise<{ id: string; fields: Map<string, Buffer> }[]> {
  const entries = await redis.xrangeBuffer(key, `(${afterId}`, '+', 'COUNT', count);
  return entries.map(([id, fields]) => ({ id: id.toString(), fields: fieldsOf(fields) }));
}

function fieldsOf(fields: Buffer[]): Map<string, Buffer> {
  const values = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!.toString(), fields[i + 1]!);
  return values;
}

function toEntry(id: string, values: Map<string, Buffer>): DeltaEntry {
  return { id, delta: decodeDelta(new Uint8Array(values.get('delta')!)), publishedAt: Number(values.get('published_at')) };
}
