import type { EntityName } from './views.js';

/**
 * Redis key layout, version 2 (see README). The layout version is part of every
 * key, so a layout change writes new keys beside the old ones, which expire.
 *
 *   {ns}:v2:user:{user_id}              string: the user's feature row (rows.ts), what online reads fetch
 *   {ns}:v2:item:{item_id}              string: the item's feature row
 *   {ns}:v2:state:user:{user_id}        hash: write-side bookkeeping: `_s`, `_v` (write token), `_t:{view}`
 *   {ns}:v2:state:item:{item_id}        hash: the same for items
 *   {ns}:v2:covisit:{item_id}           sorted set: co-visited item -> count
 *   {ns}:v2:wm:{topic}:{partition}      hash: `offset` and `stream_time` applied from that Kafka partition
 *
 * Rows and state are separate keys so that a read is one MGET of plain
 * strings (no script, no hash per entity), while writes keep per-view event
 * times and the aggregation state beside them.
 *
 * On a Redis Cluster the ids are hash tags (`{ns}:v2:user:{{user_id}}`), so
 * an entity's row, state and co-visitation set share one slot, and each
 * partition's fence has one key per slot and phase besides (see
 * docs/decisions/cluster-exactly-once.md):
 *
 *   {ns}:v2:wm:{topic}:{partition}:{phase}:{{tag}}   hash: `offset`, in the slot `tag` hashes to
 */
export const KEY_LAYOUT_VERSION = 'v2';

/** State hash fields: aggregation state, write token, and per-view event time. */
export const STATE_FIELD = '_s';
export const WRITE_TOKEN_FIELD = '_v';
export const viewTimeField = (view: string) => `_t:${view}`;

/** The two phases of a clustered batch write: items and co-visitations first, users last. */
export type WritePhase = 'items' | 'users';

export class KeyLayout {
  readonly prefix: string;

  /** `hashTags`: the cluster layout, each id a hash tag. */
  constructor(
    namespace: string,
    readonly hashTags = false,
  ) {
    this.prefix = `${namespace}:${KEY_LAYOUT_VERSION}:`;
  }

  /** The entity's feature row. */
  row(entity: EntityName, id: string): string {
    return `${this.prefix}${entity}:${this.id(id)}`;
  }

  /** The entity's write-side state. */
  state(entity: EntityName, id: string): string {
    return `${this.prefix}state:${entity}:${this.id(id)}`;
  }

  /** Every key that holds something about the entity (for erasure). */
  entityKeys(entity: EntityName, id: string): string[] {
    return [this.row(entity, id), this.state(entity, id)];
  }

  covisit(itemId: string): string {
    return `${this.covisitPrefix}${this.id(itemId)}`;
  }

  /** What every co-visitation key starts with; lua/read-user-covisits.lua appends the item id. */
  get covisitPrefix(): string {
    return `${this.prefix}covisit:`;
  }

  watermark(topic: string, partition: number): string {
    return `${this.prefix}wm:${topic}:${partition}`;
  }

  /** The partition's fence for one phase of its writes to one slot (cluster layout); `tag` hashes to that slot. */
  slotWatermark(topic: string, partition: number, phase: WritePhase, tag: string): string {
    return `${this.watermark(topic, partition)}:${phase}:{${tag}}`;
  }

  private id(id: string): string {
    return this.hashTags ? `{${id}}` : id;
  }

  /** Every key of the namespace, for SCAN. */
  get pattern(): string {
    return `${this.prefix}*`;
  }
}
