import { appendEntry, deltaStreamKey, readEntries, type DeltaChannelOptions } from '@recstream/deltas';
import { decodeDelta, encodeDelta, type ModelDelta } from '@recstream/models';
import { isCluster, type RedisClient } from '@recstream/platform';
import { MODEL_ROLES, type ModelRole } from '@recstream/schemas';

/** Per partition, the offsets `[from, to)` of the events an entry's increments learned from. */
export type Coverage = Record<string, [from: string, to: string]>;

/** What one instance learned between two cuts, for the other instances of its name. */
export interface PeerEntry {
  /** The stream entry id: entries are taken in this order. */
  id: string;
  /** The instance that published it (one id per process). */
  publisher: string;
  covers: Coverage;
  /** Per role, the increment and the lineage (see lineage.ts) of the model it was learned on. */
  increments: Partial<Record<ModelRole, { lineage: string; increment: ModelDelta }>>;
}

/**
 * The stream the online updater instances of one name share what they learn
 * on: one entry per cut, every role's increment in it, so an entry covers
 * the same events for every model. Serving never reads it; it follows the
 * lineages' delta streams (DeltaChannel), whose contract it leaves alone.
 */
export class PeerLog {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: DeltaChannelOptions,
    name: string,
  ) {
    this.key = deltaStreamKey(options.prefix, `peers:${name}`, isCluster(redis));
  }

  async append(entry: Omit<PeerEntry, 'id'>): Promise<string> {
    const fields: (string | number | Buffer)[] = ['publisher', entry.publisher, 'covers', JSON.stringify(entry.covers), 'published_at', Date.now()];
    for (const [role, { lineage, increment }] of Object.entries(entry.increments)) fields.push(`${role}:lineage`, lineage, `${role}:increment`, Buffer.from(encodeDelta(increment)));
    return appendEntry(this.redis, this.key, fields, this.options);
  }

  /** Entries after `afterId`, oldest first, at most `count`. */
  async read(afterId: string, count: number): Promise<PeerEntry[]> {
    const entries = await readEntries(this.redis, this.key, afterId, count);
    return entries.map(({ id, fields }) => {
      const increments: PeerEntry['increments'] = {};
      for (const role of MODEL_ROLES) {
        const increment = fields.get(`${role}:increment`);
        if (increment) increments[role] = { lineage: fields.get(`${role}:lineage`)!.toString(), increment: decodeDelta(new Uint8Array(increment)) };
      }
      return { id, publisher: fields.get('publisher')!.toString(), covers: JSON.parse(fields.get('covers')!.toString()) as Coverage, increments };
    });
  }
}
