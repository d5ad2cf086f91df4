import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Validates an app's environment once at boot against its schema. Nothing
 * else in an app reads `process.env`; it receives the typed result.
 */
export function parseEnv<S extends z.ZodType>(
  app: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
  throw new ConfigError(`${app}: invalid environment; fix these variables and start again:\n${problems}`);
}

/** Connection settings shared by every app; each has a local default. */
export const infraEnv = {
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/recstream'),
  REDIS_URL: z.string().default('redis://127.0.0.1:6379'),
  /** `host:port,...` of a Redis Cluster's masters; when set, the apps that support a cluster use it instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** `api-key`: callers need a key with the route's scope (keys live in Postgres); `none`: open, for trusted networks only. */
export const authModeEnv = z.enum(['api-key', 'none']).default('api-key');

export const brokersFrom = (list: string): string[] =>
  list
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);

/** An integer environment variable with a default, at least `min`. */
export const envInt = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
