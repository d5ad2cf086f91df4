import type { EntityName } from './views.js';

/**
 * Redis key layout, version 1 (see README). The version is part of every
 * key, so a layout change writes new keys beside the old ones, which expire.
 *
 *   {ns}:v1:user:{user_id}              hash: one field per user feature view (JSON), `_t:{view}`, `_s`, `_v`
 *   {ns}:v1:item:{item_id}              hash: one field per item feature view (JSON), `_t:{view}`, `_s`, `_v`
 *   {ns}:v1:covisit:{item_id}           sorted set: co-visited item -> count
 *   {ns}:v1:wm:{topic}:{partition}      hash: `offset` and `stream_time` applied from that Kafka partition
 */
export const KEY_LAYOUT_VERSION = 'v1';

/** Hash fields beside the views: aggregation state, version, and per-view event time. */
export const STATE_FIELD = '_s';
export const VERSION_FIELD = '_v';
export const viewTimeField = (view: string) => `_t:${view}`;

export class KeyLayout {
  readonly prefix: string;

  constructor(namespace: string) {
    this.prefix = `${namespace}:${KEY_LAYOUT_VERSION}:`;
  }

  entity(entity: EntityName, id: string): string {
    return `${this.prefix}${entity}:${id}`;
  }

  covisit(itemId: string): string {
    return `${this.prefix}covisit:${itemId}`;
  }

  watermark(topic: string, partition: number): string {
    return `${this.prefix}wm:${topic}:${partition}`;
  }

  /** Every key of the namespace, for SCAN. */
  get pattern(): string {
    return `${this.prefix}*`;
  }
}
