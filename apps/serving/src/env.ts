import { z } from 'zod';
import { authenticatorEnv, authenticatorOptionsFromEnv } from '@recstream/auth';
import { viewCatalogueEnv, viewCatalogueFrom } from '@recstream/features';
import { authModeEnv, brokersFrom, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { topicNamesEnv } from '@recstream/schemas';
import { DEFAULT_SERVING_OPTIONS as D, type ServingOptions } from '@recstream/serving';


const schema = z.object({
  ...infraEnv,
  ...viewCatalogueEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(D.port),
  HOST: z.string().default(D.host),
  DEFAULT_K: envInt(D.defaultK),
  MAX_K: envInt(D.maxK),
  FEATURE_NAMESPACE: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -').default(D.featureNamespace),
  CATALOG_REFRESH_MS: envInt(D.catalogRefreshMs),
  /** How often the catalogue reads every item again; refreshes in between read the attribute rows written since. */
  CATALOG_REBUILD_MS: envInt(D.catalog.rebuildEveryMs),
  POPULARITY_REFRESH_MS: envInt(D.popularityRefreshMs),
  /** How often the popular lists aggregate the whole window again; refreshes in between read the last hour or so. */
  POPULARITY_REBUILD_MS: envInt(D.popularity.rebuildEveryMs),
  EXPERIMENTS_REFRESH_MS: envInt(D.experimentsRefreshMs),
  MODEL_POLL_MS: envInt(D.models.pollIntervalMs),
  HNSW_EF_SEARCH: z.coerce.number().int().positive().optional(),
  PG_POOL_SIZE: envInt(4),
  /** Processes serving on the one port (node:cluster); each loads its own models and index. Up to one per core. */
  WORKERS: envInt(1),
  /** With `api-key`, callers need the `serve` scope. */
  AUTH_MODE: authModeEnv,
  ...authenticatorEnv,
  /** `follow`: apply the online updater's deltas to the production models as they are published; `off`: serve versions as registered. */
  ONLINE_DELTAS: z.enum(['follow', 'off']).default('follow'),
  ONLINE_DELTA_PREFIX: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -').default(D.onlineDeltas.prefix),
  /** Where exposures are logged. */
  EVENTS_TOPIC: topicNamesEnv.EVENTS_TOPIC,
});

/** The serving app's environment, validated at boot. */
export function servingConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('serving', schema, env);
  const options: Partial<ServingOptions> = {
    port: e.PORT,
    host: e.HOST,
    defaultK: e.DEFAULT_K,
    maxK: e.MAX_K,
    featureNamespace: e.FEATURE_NAMESPACE,
    catalogRefreshMs: e.CATALOG_REFRESH_MS,
    catalog: { ...D.catalog, rebuildEveryMs: e.CATALOG_REBUILD_MS },
    popularityRefreshMs: e.POPULARITY_REFRESH_MS,
    popularity: { ...D.popularity, rebuildEveryMs: e.POPULARITY_REBUILD_MS },
    experimentsRefreshMs: e.EXPERIMENTS_REFRESH_MS,
    models: { ...D.models, pollIntervalMs: e.MODEL_POLL_MS, hnsw: e.HNSW_EF_SEARCH === undefined ? {} : { efSearch: e.HNSW_EF_SEARCH } },
    onlineDeltas: { ...D.onlineDeltas, follow: e.ONLINE_DELTAS === 'follow', prefix: e.ONLINE_DELTA_PREFIX },
    exposures: { ...D.exposures, topic: e.EVENTS_TOPIC },
  };
  return {
    viewCatalogue: viewCatalogueFrom(e),
    brokers: brokersFrom(e.KAFKA_BROKERS),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    logLevel: e.LOG_LEVEL,
    poolSize: e.PG_POOL_SIZE,
    workers: e.WORKERS,
    authMode: e.AUTH_MODE,
    authenticator: authenticatorOptionsFromEnv(e),
    options,
  };
}
