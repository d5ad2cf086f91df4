import { isCluster, type RedisClient } from '@recstream/platform';
import { commandBatch } from './redis-pipeline.js';
import { KeyLayout, STATE_FIELD, WRITE_TOKEN_FIELD, viewTimeField, type WritePhase } from './keys.js';
import type { BatchPlan, EntityWrite, Watermark } from './plan.js';
import { ROW_VIEWS, encodeRow, rowSegment, rowSegments, segmentWrite } from './rows.js';
import { withScripts, type ScriptedRedis } from './scripts.js';
import { SlotFences, groupBySlot, type SlotGroup } from './slot-fences.js';
import { keySlot, slotTag } from './slots.js';
import { DEFAULT_FEATURE_NAMESPACE, entityTtlMs, itemAttributes, itemCovisit, type EntityName } from './views.js';

export interface OnlineWriterOptions {
  /** Prefix of every key; tests and parallel deployments use their own. */
  namespace: string;
  /** Members each co-visitation set keeps. */
  maxCovisits: number;
  /** TTL of partition watermarks; longer than the topics' retention, so a replay always finds them. */
  watermarkTtlMs: number;
}

export const DEFAULT_ONLINE_WRITER_OPTIONS: OnlineWriterOptions = { namespace: DEFAULT_FEATURE_NAMESPACE, maxCovisits: 200, watermarkTtlMs: 60 * 86_400_000 };

/** What the builder reads about an entity before applying a batch to it. */
export interface StoredEntity {
  writeToken: string;
  state: string | null;
  /** The entity's item_attributes view (items only), for per-category user counts. */
  attributes: string | null;
}

export type ApplyOutcome = 'applied' | 'fenced' | 'conflict';

/** A view's values for one entity, written only when newer than what is stored. */
export interface ViewWrite {
  entity: EntityName;
  id: string;
  view: string;
  eventTime: number;
  values: unknown;
}

/**
 * The Redis online store, write side: reads state and watermarks, applies
 * a batch plan atomically (lua/apply-batch.lua), and writes upsert and
 * rebuilt views only when newer (lua/write-if-newer.lua), all pipelined.
 * View values go to the entity's feature row (rows.ts); the state hash
 * beside it holds what only writers need.
 *
 * On a Redis Cluster a script may only touch one slot, so a plan is applied
 * slot by slot, each part fenced by its own watermark, items before users
 * (docs/decisions/cluster-exactly-once.md).
 */
export class OnlineFeatureWriter {
  readonly keys: KeyLayout;
  readonly options: OnlineWriterOptions;
  private readonly redis: ScriptedRedis;
  readonly clustered: boolean;

  constructor(redis: RedisClient, options: Partial<OnlineWriterOptions> = {}) {
    this.options = { ...DEFAULT_ONLINE_WRITER_OPTIONS, ...options };
    this.clustered = isCluster(redis);
    this.keys = new KeyLayout(this.options.namespace, this.clustered);
    this.redis = withScripts(redis);
  }

  async readWatermark(topic: string, partition: number): Promise<Watermark | undefined> {
    const [offset, streamTime] = await this.redis.hmget(this.keys.watermark(topic, partition), 'offset', 'stream_time');
    return offset == null ? undefined : { offset, streamTime: Number(streamTime) };
  }

  /**
   * The partition's watermark and the state, write token and attributes of each
   * entity (keyed `${entity}:${id}`), in one round trip.
   */
  async loadEntities(
    topic: string,
    partition: number,
    entities: readonly { entity: EntityName; id: string }[],
  ): Promise<{ watermark: Watermark | undefined; stored: Map<string, StoredEntity> }> {
    const batch = commandBatch(this.redis);
    const pipeline = batch.commands.hmget(this.keys.watermark(topic, partition), 'offset', 'stream_time');
    for (const { entity, id } of entities) {
      pipeline.hmget(this.keys.state(entity, id), WRITE_TOKEN_FIELD, STATE_FIELD);
      if (entity === 'item') pipeline.get(this.keys.row(entity, id));
    }
    const [mark, ...replies] = await batch.exec('reading entity state');
    const stored = new Map<string, StoredEntity>();
    let reply = 0;
    for (const { entity, id } of entities) {
      const [writeToken, state] = replies[reply++] as (string | null)[];
      const attributes = entity === 'item' ? rowSegments(replies[reply++] as string | null)[ATTRIBUTES_SEGMENT] || null : null;
      stored.set(`${entity}:${id}`, { writeToken: writeToken ?? '', state: state ?? null, attributes });
    }
    const [offset, streamTime] = mark as (string | null)[];
    return { watermark: offset == null ? undefined : { offset, streamTime: Number(streamTime) }, stored };
  }

  /**
   * On a cluster: reads the partition's fences in the slots of `ids` (each
   * phase's fence in an entity's slot) that `fences` has not read yet.
   */
  async readFences(topic: string, partition: number, fences: SlotFences, ids: readonly { phase: WritePhase; id: string }[]): Promise<void> {
    const unread = new Map<string, { phase: WritePhase; slot: number }>();
    for (const { phase, id } of ids) {
      const slot = keySlot(id);
      if (!fences.has(phase, slot)) unread.set(`${phase}:${slot}`, { phase, slot });
    }
    const batch = commandBatch(this.redis);
    for (const { phase, slot } of unread.values()) batch.commands.hget(this.keys.slotWatermark(topic, partition, phase, slotTag(slot)), 'offset');
    const offsets = await batch.exec('reading slot fences');
    [...unread.values()].forEach(({ phase, slot }, i) => fences.set(phase, slot, offsets[i] as string | null));
  }

  /**
   * Applies the plan unless the fence or an entity's write token moved since it
   * was computed. With `fences` (a cluster), slot by slot: every items
   * group, then every users group, then the partition's watermark; a part
   * that lands stays, and the retry skips it.
   */
  async apply(plan: BatchPlan, fences?: SlotFences): Promise<ApplyOutcome> {
    if (!fences) return this.applyPart(this.keys.watermark(plan.topic, plan.partition), plan.from?.offset ?? '', plan, plan);
    const groups = groupBySlot(plan);
    for (const phase of ['items', 'users'] as const) {
      const parts = groups.filter((group) => group.phase === phase);
      const outcomes = await Promise.all(parts.map((group) => this.applyGroup(plan, group, fences)));
      const failed = outcomes.find((outcome) => outcome !== 'applied');
      if (failed) return failed;
    }
    return this.applyPart(this.keys.watermark(plan.topic, plan.partition), plan.from?.offset ?? '', plan, { entities: [], covisits: new Map() });
  }

  private applyGroup(plan: BatchPlan, group: SlotGroup, fences: SlotFences): Promise<ApplyOutcome> {
    const fence = this.keys.slotWatermark(plan.topic, plan.partition, group.phase, slotTag(group.slot));
    return this.applyPart(fence, fences.expected(group.phase, group.slot), plan, group);
  }

  /** One lua/apply-batch.lua call: the writes in `part`, fenced by `fence` holding `expected`. */
  protected async applyPart(fence: string, expected: string, plan: BatchPlan, part: Pick<BatchPlan, 'entities' | 'covisits'>): Promise<ApplyOutcome> {
    const keys = [fence];
    const args: (string | number)[] = [expected, plan.to.offset, plan.to.streamTime, part.entities.length];
    args.push(itemCovisit.ttlMs, this.options.maxCovisits, this.options.watermarkTtlMs, plan.writeToken);
    for (const write of part.entities) {
      keys.push(this.keys.state(write.entity, write.id), this.keys.row(write.entity, write.id));
      const fields = stateFields(write);
      const views = Object.entries(write.views);
      args.push(write.expectedToken, entityTtlMs(write.entity), fields.length / 2, ...fields, ROW_VIEWS[write.entity].length, views.length);
      for (const [view, values] of views) {
        const { segment, encoded } = segmentWrite(write.entity, view, values);
        args.push(segment, encoded);
      }
    }
    for (const [item, others] of part.covisits) {
      keys.push(this.keys.covisit(item));
      args.push(others.size);
      for (const [other, count] of others) args.push(other, count);
    }
    // One array, not spread: a large chunk has more arguments than a function call takes.
    const result = await this.redis.applyBatch(keys.length, [...keys, ...args]);
    return result === 1 ? 'applied' : result === 0 ? 'fenced' : 'conflict';
  }

  /** Writes each view unless newer values are stored; returns how many were written. */
  async writeViews(writes: readonly ViewWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const batch = commandBatch(this.redis);
    const pipeline = batch.commands as unknown as ScriptedRedis;
    for (const w of writes) {
      const { segment, segments, encoded } = segmentWrite(w.entity, w.view, w.values);
      pipeline.writeIfNewer(this.keys.state(w.entity, w.id), this.keys.row(w.entity, w.id), w.view, w.eventTime, segment, segments, encoded, entityTtlMs(w.entity));
    }
    const replies = await batch.exec('writing feature views');
    return replies.reduce<number>((written, result) => written + Number(result), 0);
  }

  /**
   * Writes entity states, rows and co-visitation sets outright, pipelined:
   * only for a rebuild into a cleared namespace, while no feature builder
   * runs, and before `writeViews` adds the upsert views to the rows.
   */
  async writeEntities(entities: readonly EntityWrite[], covisits: BatchPlan['covisits']): Promise<void> {
    const batch = commandBatch(this.redis);
    const pipeline = batch.commands;
    for (const write of entities) {
      const [state, ttl] = [this.keys.state(write.entity, write.id), entityTtlMs(write.entity)];
      pipeline.hset(state, ...stateFields(write), WRITE_TOKEN_FIELD, 'rebuilt').pexpire(state, ttl);
      pipeline.set(this.keys.row(write.entity, write.id), encodeRow(write.entity, write.views), 'PX', ttl);
    }
    for (const [item, others] of covisits) {
      const key = this.keys.covisit(item);
      pipeline.zadd(key, ...[...others].flatMap(([other, count]) => [count, other]));
      pipeline.zremrangebyrank(key, 0, -this.options.maxCovisits - 1).pexpire(key, itemCovisit.ttlMs);
    }
    await batch.exec('writing rebuilt entities');
  }

  /** Sets watermarks outright: only for a rebuild, while no feature builder runs. */
  async setWatermarks(watermarks: readonly ({ topic: string; partition: number } & Watermark)[]): Promise<void> {
    const batch = commandBatch(this.redis);
    const pipeline = batch.commands;
    for (const w of watermarks) {
      const key = this.keys.watermark(w.topic, w.partition);
      pipeline.hset(key, 'offset', w.offset, 'stream_time', w.streamTime).pexpire(key, this.options.watermarkTtlMs);
    }
    await batch.exec('writing watermarks');
  }

  /** Deletes every key of the namespace (SCAN + UNLINK, never FLUSHDB): the start of a rebuild. */
  async clear(): Promise<number> {
    let deleted = 0;
    for (const node of isCluster(this.redis) ? this.redis.nodes('master') : [this.redis]) {
      const stream = node.scanStream({ match: this.keys.pattern, count: 1_000 });
      for await (const page of stream as AsyncIterable<string[]>) {
        if (page.length === 0) continue;
        // On a cluster one UNLINK per key: a page's keys lie in many slots.
        if (!this.clustered) deleted += await node.unlink(...page);
        else {
          const batch = commandBatch(node);
          for (const key of page) batch.commands.unlink(key);
          deleted += (await batch.exec('clearing the namespace')).reduce<number>((sum, n) => sum + Number(n), 0);
        }
      }
    }
    return deleted;
  }

}

const ATTRIBUTES_SEGMENT = rowSegment('item', itemAttributes.name);

/** The state hash fields of an entity write: aggregation state, and each view's event time. */
function stateFields(write: EntityWrite): string[] {
  const fields = [STATE_FIELD, write.state];
  for (const view of Object.keys(write.views)) fields.push(viewTimeField(view), String(write.eventTime));
  return fields;
}
