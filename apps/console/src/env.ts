import { z } from 'zod';
import { authenticatorEnv, authenticatorOptionsFromEnv } from '@recstream/auth';
import { authModeEnv, brokersFrom, clusterSeeds, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { queuePrefix } from '@recstream/schemas';
import { DEFAULT_CONSOLE_OPTIONS as D, MetricsTargetList, type ConsoleOptions } from '@recstream/console';

const schema = z.object({
  ...infraEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(D.port),
  HOST: z.string().default(D.host),
  /** Base URL of the serving API, for the recommendation view. */
  SERVING_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default(D.servingUrl),
  SERVING_TIMEOUT_MS: envInt(D.servingTimeoutMs),
  /** `name=url` pairs of the apps' /metrics endpoints, comma-separated. */
  METRICS_TARGETS: MetricsTargetList.default(D.metricsTargets),
  SCRAPE_INTERVAL_MS: envInt(D.scraper.intervalMs),
  SCRAPE_TIMEOUT_MS: envInt(D.scraper.timeoutMs),
  /** Kafka consumer groups whose lag is shown, comma-separated. */
  CONSUMER_GROUPS: z.string().default(D.consumerGroups.join(',')),
  /** The BullMQ key prefix the sample generator and trainer use; unset: `bull` on one Redis, `{recstream}` on a cluster. */
  BULLMQ_PREFIX: z.string().min(1).optional(),
  MODEL_VERSIONS: envInt(D.modelVersions),
  TRAFFIC_DAYS: envInt(D.trafficDays),
  PG_POOL_SIZE: envInt(2),
  /** With `api-key`, callers need the `admin` scope. */
  AUTH_MODE: authModeEnv,
  ...authenticatorEnv,
});

/** The console's environment, validated at boot. */
export function consoleConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('console', schema, env);
  const options: Partial<ConsoleOptions> = {
    port: e.PORT,
    host: e.HOST,
    servingUrl: e.SERVING_URL,
    servingTimeoutMs: e.SERVING_TIMEOUT_MS,
    metricsTargets: e.METRICS_TARGETS,
    scraper: { ...D.scraper, intervalMs: e.SCRAPE_INTERVAL_MS, timeoutMs: e.SCRAPE_TIMEOUT_MS },
    // A comma-separated list, read like KAFKA_BROKERS.
    consumerGroups: brokersFrom(e.CONSUMER_GROUPS),
    bullmqPrefix: queuePrefix(e.BULLMQ_PREFIX, clusterSeeds(e.REDIS_CLUSTER_NODES).length > 0),
    modelVersions: e.MODEL_VERSIONS,
    trafficDays: e.TRAFFIC_DAYS,
  };
  return {
    brokers: brokersFrom(e.KAFKA_BROKERS),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    logLevel: e.LOG_LEVEL,
    poolSize: e.PG_POOL_SIZE,
    authMode: e.AUTH_MODE,
    authenticator: authenticatorOptionsFromEnv(e),
    options,
  };
}
