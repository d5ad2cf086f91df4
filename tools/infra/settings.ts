import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv, infraEnv, envInt } from '@recstream/platform';
import { topicNamesEnv, topicNamesFromEnv } from '@recstream/schemas';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** Git-ignored folder for local service data (Kafka's log dirs, pid files). */
export const DATA_DIR = resolve(REPO_ROOT, '.data');

const schema = z.object({
  ...infraEnv,
  ...topicNamesEnv,
  /** Heap of each local Kafka node. */
  KAFKA_HEAP: z.string().default('512m'),
  /** Local Kafka nodes infra:up starts: 3 form a cluster that survives one node's death. */
  KAFKA_NODES: envInt(1),
  /** Client port of the first local node (KAFKA_BROKERS defaults to it); node n listens 2(n - 1) above. */
  KAFKA_PORT: envInt(9092),
  /** Replication of the topics infra:up and topics:create make; by default from the cluster's size (3 and 2 from 3 brokers up, else 1 and 1). */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).optional(),
  KAFKA_MIN_INSYNC_REPLICAS: z.coerce.number().int().min(1).optional(),
  /** Local Redis masters infra:up starts: 1 is the plain server on REDIS_URL; 3 or more form a Redis Cluster instead. */
  REDIS_NODES: envInt(1).refine((n) => n === 1 || n >= 3, 'a Redis Cluster needs at least 3 masters; use 1 or 3+'),
  /** Port of the first local Redis Cluster master; master n listens n - 1 above. */
  REDIS_CLUSTER_PORT: envInt(7001),
});

/** Where each service is, and whether the user chose it (then we never start or stop it). */
export function infraSettings(env: Record<string, string | undefined> = process.env) {
  const settings = parseEnv('infra', schema, env);
  return {
    ...settings,
    KAFKA_BROKERS: env.KAFKA_BROKERS ?? `127.0.0.1:${settings.KAFKA_PORT}`,
    /** The topics `topics:create` and `infra:up` create, named as the apps' EVENTS_TOPIC, ITEMS_TOPIC, USERS_TOPIC and DEAD_LETTER_TOPIC name them. */
    topics: topicNamesFromEnv(settings),
    userProvided: {
      kafka: env.KAFKA_BROKERS !== undefined,
      postgres: env.DATABASE_URL !== undefined,
      redis: env.REDIS_URL !== undefined,
    },
  };
}
export type InfraSettings = ReturnType<typeof infraSettings>;
