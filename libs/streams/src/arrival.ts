import type { KafkaMessage } from 'kafkajs';

/**
 * When a consumed message arrived: its Kafka timestamp, so a replay judges
 * it as the first read did, but never later than now, as a producer sets
 * that timestamp and could date it ahead too.
 */
export function messageArrival(message: Pick<KafkaMessage, 'timestamp'>, now: number = Date.now()): number {
  const timestamp = Number(message.timestamp);
  return Number.isFinite(timestamp) && timestamp >= 0 ? Math.min(timestamp, now) : now;
}
