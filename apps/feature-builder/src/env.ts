import { z } from 'zod';
import { brokersFrom, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { DEFAULT_FEATURE_BUILDER_OPTIONS as D, viewCatalogueEnv, viewCatalogueFrom, type FeatureBuilderOptions } from '@recstream/features';
import { topicNamesEnv, topicNamesFromEnv } from '@recstream/schemas';


const schema = z.object({
  ...infraEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(D.port),
  HOST: z.string().default(D.host),
  GROUP_ID: z.string().min(1).default(D.groupId),
  FEATURE_NAMESPACE: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -').default(D.namespace),
  ...topicNamesEnv,
  ...viewCatalogueEnv,
  MAX_BATCH_EVENTS: envInt(D.maxBatchEvents),
  ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).default(D.allowedLatenessMs),
  MAX_FUTURE_SKEW_MS: z.coerce.number().int().min(0).default(D.maxFutureSkewMs),
  SEQUENCE_LENGTH: envInt(D.sequenceLength),
  SESSION_GAP_MS: envInt(D.sessionGapMs),
  SESSION_TIMEOUT_MS: envInt(D.sessionTimeoutMs),
  HEARTBEAT_INTERVAL_MS: envInt(D.heartbeatIntervalMs),
});

/** The feature builder's environment, validated at boot. */
export function featureBuilderConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('feature-builder', schema, env);
  const options: Partial<FeatureBuilderOptions> = {
    port: e.PORT,
    host: e.HOST,
    groupId: e.GROUP_ID,
    namespace: e.FEATURE_NAMESPACE,
    topics: topicNamesFromEnv(e),
    maxBatchEvents: e.MAX_BATCH_EVENTS,
    allowedLatenessMs: e.ALLOWED_LATENESS_MS,
    maxFutureSkewMs: e.MAX_FUTURE_SKEW_MS,
    sequenceLength: e.SEQUENCE_LENGTH,
    sessionGapMs: e.SESSION_GAP_MS,
    sessionTimeoutMs: e.SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
  };
  return { brokers: brokersFrom(e.KAFKA_BROKERS), databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL, redisClusterNodes: e.REDIS_CLUSTER_NODES, logLevel: e.LOG_LEVEL, options, viewCatalogue: viewCatalogueFrom(e) };
}
