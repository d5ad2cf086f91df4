import { z } from 'zod';
import { BACKEND_NAMES } from '@recstream/models';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, clusterSeeds, infraEnv, parseEnv } from '@recstream/platform';
import { queuePrefix } from '@recstream/schemas';
import { DEFAULT_TRAIN_WORKER_OPTIONS as W } from '@recstream/training';

const schema = z.object({
  ...infraEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(APP_PORTS.trainer),
  HOST: z.string().default(DEFAULT_HTTP_OPTIONS.host),
  /** Unset: `bull` on one Redis, `{recstream}` (a hash tag) with REDIS_CLUSTER_NODES. */
  BULLMQ_PREFIX: z.string().min(1).optional(),
  LOCK_DURATION_MS: z.coerce.number().int().positive().default(W.lockDurationMs),
  /** The one tfjs backend to train on: the trainer fails at start when it cannot load. Unset: the best that loads. */
  TRAINER_BACKEND: z.enum(BACKEND_NAMES).optional(),
  /** Recorded with each model version: set it to the image's git commit. */
  CODE_VERSION: z.string().default('dev'),
});

/** The trainer's environment, validated at boot. */
export function trainerConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('trainer', schema, env);
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    logLevel: e.LOG_LEVEL,
    codeVersion: e.CODE_VERSION,
    backend: e.TRAINER_BACKEND,
    http: { port: e.PORT, host: e.HOST },
    worker: { prefix: queuePrefix(e.BULLMQ_PREFIX, clusterSeeds(e.REDIS_CLUSTER_NODES).length > 0), lockDurationMs: e.LOCK_DURATION_MS },
  };
}
