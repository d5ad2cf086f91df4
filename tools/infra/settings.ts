import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv, infraEnv } from '@recstream/platform';
import { topicNamesEnv, topicNamesFromEnv } from '@recstream/schemas';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
/** Git-ignored folder for local service data (Kafka's log dirs, pid files). */
export const DATA_DIR = resolve(REPO_ROOT, '.data');

const schema = z.object({
  ...infraEnv,
  ...topicNamesEnv,
  KAFKA_HEAP: z.string().default('512m'),
});

/** Where each service is, and whether the user chose it (then we never start or stop it). */
export function infraSettings(env: Record<string, string | undefined> = process.env) {
  const settings = parseEnv('infra', schema, env);
  return {
    ...settings,
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
