import type { RedisClient } from '@recstream/platform';
import type pg from 'pg';
import { OfflineStore } from './offline-store.js';
import { OnlineFeatureWriter } from './online-writer.js';

export interface WatermarkRepairOptions {
  namespace: string;
  /** The consumed topic whose partitions are checked, e.g. `events`. */
  topic: string;
  /** Only these partitions; all that the namespace has offsets for when unset. */
  partitions?: readonly number[];
  /** A stream time later than now plus this is poisoned. */
  maxFutureSkewMs: number;
  /** The stream time a poisoned partition gets, epoch ms; now when unset. */
  streamTime?: number;
  now?: number;
}

export interface WatermarkRepairReport {
  repaired: { topic: string; partition: number; from: number; to: number }[];
  /** Logged events dated past now plus the skew: still in event_log, and replayed by `rebuildFromOffline`. */
  futureEvents: number;
}

/**
 * Pulls back each partition's stream time that an event dated in the future
 * carried ahead, so the events after it stop counting as late: in Redis,
 * and in Postgres' feature_offsets, which a rebuild restores watermarks
 * from. Offsets stay. Run it while no feature builder of the namespace
 * runs: a running builder writes the stream time it read back.
 */
export async function repairWatermarks(deps: { redis: RedisClient; pool: pg.Pool }, options: WatermarkRepairOptions): Promise<WatermarkRepairReport> {
  const { namespace, topic, partitions, maxFutureSkewMs } = options;
  const now = options.now ?? Date.now();
  const limit = now + maxFutureSkewMs;
  const to = options.streamTime ?? now;
  const online = new OnlineFeatureWriter(deps.redis, { namespace });
  const offline = new OfflineStore(deps.pool, { namespace });
  const logged = new Map((await offline.readOffsets()).filter((offset) => offset.topic === topic).map((offset) => [offset.partition, offset.streamTime]));
  const repaired: WatermarkRepairReport['repaired'] = [];
  for (const partition of partitions ?? [...logged.keys()]) {
    const watermark = await online.readWatermark(topic, partition);
    const loggedTime = logged.get(partition);
    const poisoned = [watermark?.streamTime, loggedTime].filter((time): time is number => time !== undefined && time > limit);
    if (poisoned.length === 0) continue;
    if (loggedTime !== undefined && loggedTime > limit) await offline.setStreamTime(topic, partition, to);
    if (watermark && watermark.streamTime > limit) await online.setWatermarks([{ topic, partition, offset: watermark.offset, streamTime: to }]);
    repaired.push({ topic, partition, from: Math.max(...poisoned), to });
  }
  return { repaired, futureEvents: await offline.countEventsAfter(limit) };
}
