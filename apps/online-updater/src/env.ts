import { z } from 'zod';
import { brokersFrom, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { DEFAULT_ONLINE_UPDATER_OPTIONS as D, type OnlineUpdaterOptions } from '@recstream/online';
import { ModelRoleSchema } from '@recstream/schemas';

const fraction = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
const positive = (fallback: number) => z.coerce.number().positive().default(fallback);

const schema = z.object({
  ...infraEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(D.port),
  HOST: z.string().default(D.host),
  /** Names the lineage of snapshots this updater resumes from. */
  UPDATER_NAME: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -').default(D.name),
  GROUP_ID: z.string().min(1).optional(),
  EVENTS_TOPIC: z.string().min(1).default(D.topic),
  ROLES: z
    .string()
    .default(D.roles.join(','))
    .transform((list) => list.split(',').map((role) => role.trim()))
    .pipe(z.array(ModelRoleSchema).min(1)),
  START_FROM: z.enum(['earliest', 'latest']).default(D.startFrom),
  MAX_FUTURE_SKEW_MS: envInt(D.maxFutureSkewMs, 0),
  BATCH_SIZE: envInt(D.learner.batchSize),
  DENSE_EVERY: envInt(D.learner.denseEvery, 0),
  DENSE_LEARNING_RATE: positive(D.learner.denseLearningRate),
  SPARSE_LEARNING_RATE: z.coerce.number().positive().optional(),
  RANKING_SPARSE_LEARNING_RATE: z.coerce.number().positive().optional(),
  HOLDOUT_FRACTION: fraction(D.learner.holdoutFraction),
  /** `true`: the instances of one UPDATER_NAME share one model (required to run more than one; docs/decisions/online-updater-instances.md). */
  FOLLOW_PEERS: z.enum(['true', 'false']).default(String(D.learner.followPeers) as 'true' | 'false'),
  GUARDRAIL_MARGIN: fraction(D.learner.guardrail.margin),
  GUARDRAIL_WINDOW: envInt(D.learner.guardrail.window),
  GUARDRAIL_MIN_EXAMPLES: envInt(D.learner.guardrail.minExamples),
  ATTRIBUTION_WINDOW_MS: envInt(D.examples.attributionWindowMs),
  NEGATIVES_PER_POSITIVE: envInt(D.examples.negativesPerPositive, 0),
  NEGATIVE_AFTER_MS: envInt(D.examples.negativeAfterMs, 0),
  /** `off`: full batches only (exact replays of batched models; see OnlineUpdaterOptions.flushAfterMs). */
  FLUSH_AFTER_MS: z.union([z.literal('off'), z.coerce.number().int().positive()]).default(D.flushAfterMs ?? 'off'),
  PUBLISH_INTERVAL_MS: envInt(D.publishIntervalMs),
  SNAPSHOT_INTERVAL_MS: envInt(D.snapshotIntervalMs),
  ONLINE_DELTA_PREFIX: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -').default(D.deltas.prefix),
  /** Recorded with each snapshot version: set it to the image's git commit. */
  CODE_VERSION: z.string().default(D.codeVersion),
});

/** The online updater's environment, validated at boot. */
export function onlineUpdaterConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('online-updater', schema, env);
  const options: Partial<OnlineUpdaterOptions> = {
    port: e.PORT,
    host: e.HOST,
    name: e.UPDATER_NAME,
    groupId: e.GROUP_ID ?? e.UPDATER_NAME,
    topic: e.EVENTS_TOPIC,
    roles: e.ROLES,
    startFrom: e.START_FROM,
    maxFutureSkewMs: e.MAX_FUTURE_SKEW_MS,
    sparseLearningRates: {
      ...D.sparseLearningRates,
      ...(e.SPARSE_LEARNING_RATE !== undefined && { recall: e.SPARSE_LEARNING_RATE }),
      ...(e.RANKING_SPARSE_LEARNING_RATE !== undefined && { ranking: e.RANKING_SPARSE_LEARNING_RATE }),
    },
    learner: {
      batchSize: e.BATCH_SIZE,
      denseEvery: e.DENSE_EVERY,
      denseLearningRate: e.DENSE_LEARNING_RATE,
      holdoutFraction: e.HOLDOUT_FRACTION,
      followPeers: e.FOLLOW_PEERS === 'true',
      guardrail: { margin: e.GUARDRAIL_MARGIN, window: e.GUARDRAIL_WINDOW, minExamples: e.GUARDRAIL_MIN_EXAMPLES },
    },
    examples: { ...D.examples, attributionWindowMs: e.ATTRIBUTION_WINDOW_MS, negativesPerPositive: e.NEGATIVES_PER_POSITIVE, negativeAfterMs: e.NEGATIVE_AFTER_MS },
    flushAfterMs: e.FLUSH_AFTER_MS === 'off' ? null : e.FLUSH_AFTER_MS,
    publishIntervalMs: e.PUBLISH_INTERVAL_MS,
    snapshotIntervalMs: e.SNAPSHOT_INTERVAL_MS,
    deltas: { ...D.deltas, prefix: e.ONLINE_DELTA_PREFIX },
    codeVersion: e.CODE_VERSION,
  };
  return { brokers: brokersFrom(e.KAFKA_BROKERS), databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL, redisClusterNodes: e.REDIS_CLUSTER_NODES, logLevel: e.LOG_LEVEL, options };
}
