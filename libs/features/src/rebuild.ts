import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { RedisClient } from '@recstream/platform';
import type pg from 'pg';
import type { Logger } from '@recstream/platform';
import { BatchFold } from './batch-fold.js';
import { NO_CONTENT } from './entity-state.js';
import { DEFAULT_FEATURE_BUILDER_OPTIONS, FeatureBuilder, type FeatureBuilderOptions } from './builder.js';
import { endOffsets, waitForGroupCatchUp } from './catch-up.js';
import { OfflineStore } from './offline-store.js';
import { OnlineFeatureWriter, type ViewWrite } from './online-writer.js';
import { itemAttributes, userProfile, type ItemAttributes } from './views.js';

export interface RebuildReport {
  source: 'offline' | 'kafka';
  /** Keys the namespace held before the rebuild, deleted first. */
  deletedKeys: number;
  /** Interactions replayed. */
  events: number;
  /** Users and items written (offline rebuild only; a Kafka replay does not track them). */
  entities?: number;
  durationMs: number;
}

export interface RebuildDeps {
  redis: RedisClient;
  pool: pg.Pool;
  logger: Logger;
  /** Called after each page of the event log an offline rebuild replays, with the events replayed so far. */
  onReplayed?: (events: number) => void;
}

/**
 * Recomputes the online store from the Postgres offline store, after a Redis
 * loss: clears the namespace, replays the event log in event-time order
 * through the same aggregation as the stream, restores upsert views from
 * their latest history rows, and sets each partition's watermark to the
 * offset the event log covers (feature_offsets), so builders started
 * afterwards resume without double counting. Run it while no feature
 * builder of the namespace is running. Holds the state in memory.
 */
export async function rebuildFromOffline(deps: RebuildDeps, options: Partial<FeatureBuilderOptions> = {}): Promise<RebuildReport> {
  const opts = { ...DEFAULT_FEATURE_BUILDER_OPTIONS, ...options };
  const started = performance.now();
  const online = new OnlineFeatureWriter(deps.redis, { namespace: opts.namespace });
  const offline = new OfflineStore(deps.pool, { namespace: opts.namespace });
  const deletedKeys = await online.clear();

  const upserts = [...(await offline.latest(itemAttributes)), ...(await offline.latest(userProfile))];
  const contents = new Map(upserts.filter((row) => row.view === itemAttributes.name).map((row) => [row.entityId, row.values as ItemAttributes]));

  const fold = new BatchFold(opts, undefined, (itemId) => contents.get(itemId) ?? NO_CONTENT);
  let events = 0;
  for await (const page of offline.scanEvents()) {
    for (const event of page) fold.apply(event);
    events += page.length;
    deps.onReplayed?.(events);
  }
  // Entities first: writeEntities sets whole rows, writeViews then adds the upsert views to them.
  await online.writeEntities(fold.writes().entities, fold.covisits);
  await online.writeViews(upserts.map((row): ViewWrite => ({ ...row, id: row.entityId, entity: row.view === itemAttributes.name ? 'item' : 'user' })));
  await online.setWatermarks(await offline.readOffsets());
  return { source: 'offline', deletedKeys, events, entities: fold.touched, durationMs: performance.now() - started };
}
export interface KafkaRebuildOptions extends Partial<FeatureBuilderOptions> {
  /** How often the catch-up is checked, ms. */
  pollMs?: number;
}

/**
 * Recomputes the online store from a Kafka replay: clears the namespace and
 * runs feature builders in fresh consumer groups from the beginning of the
 * topics (as far as their retention reaches), first the upsert topics,
 * then the interactions, so per-category counts see the item attributes;
 * each until it has committed the end offsets taken when it started.
 * Postgres writes are idempotent, so replaying them is harmless. Run it
 * while no feature builder of the namespace runs.
 */
export async function rebuildFromKafka(deps: RebuildDeps & { kafka: Kafka }, options: KafkaRebuildOptions = {}): Promise<RebuildReport> {
  const { pollMs, ...rest } = options;
  const opts = { ...DEFAULT_FEATURE_BUILDER_OPTIONS, ...rest, fromBeginning: true, port: 0 };
  const started = performance.now();
  const deletedKeys = await new OnlineFeatureWriter(deps.redis, { namespace: opts.namespace }).clear();
  const admin = deps.kafka.admin();
  await admin.connect();
  let events = 0;
  try {
    for (const consume of [['items', 'users'], ['events']] as const) {
      const groupId = `${opts.groupId}-rebuild-${randomUUID().slice(0, 8)}`;
      const ends = await endOffsets(admin, consume.map((name) => opts.topics[name]));
      const builder = new FeatureBuilder({ ...deps, onApplied: (batch) => void (events += batch.applied) }, { ...opts, groupId, consume });
      try {
        await builder.start();
        await waitForGroupCatchUp(admin, groupId, ends, { pollMs, failed: builder.failed });
      } finally {
        await builder.close();
        await admin.deleteGroups([groupId]).catch((error: unknown) => deps.logger.warn({ err: error, groupId }, 'could not delete the rebuild consumer group; it expires by itself'));
      }
    }
  } finally {
    await admin.disconnect();
  }
  return { source: 'kafka', deletedKeys, events, durationMs: performance.now() - started };
}
