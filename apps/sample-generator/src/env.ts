import { z } from 'zod';
import { viewCatalogueEnv, viewCatalogueFrom } from '@recstream/features';
import { APP_PORTS, DEFAULT_HTTP_OPTIONS, clusterSeeds, envInt, infraEnv, parseEnv } from '@recstream/platform';
import { queuePrefix } from '@recstream/schemas';
import {
  DEFAULT_GENERATOR_CONFIG as G,
  DEFAULT_SAMPLE_GENERATOR_OPTIONS as O,
  GeneratorConfig,
  DEFAULT_SAMPLE_JOB_WORKER_OPTIONS as W,
  TrainTarget,
  type SampleJobWorkerOptions,
} from '@recstream/samples';

const HOUR_MS = 3_600_000;
const fraction = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);
/** The generator config's own field checks: the lib holds them and the defaults. */
const S = GeneratorConfig.shape;
/** Comma-separated interaction types, e.g. `rating,purchase`. */
const implicitTypes = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .pipe(S.implicitTypes);

/** `role:modelType` pairs, comma-separated, e.g. `recall:mf,ranking:deepfm`. */
const targets = z
  .string()
  .transform((list) => list.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => ({ role: pair.split(':')[0], modelType: pair.split(':')[1] })))
  .pipe(z.array(TrainTarget));

const schema = z.object({
  ...infraEnv,
  ...viewCatalogueEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(APP_PORTS.sampleGenerator),
  HOST: z.string().default(DEFAULT_HTTP_OPTIONS.host),
  /** Unset: `bull` on one Redis, `{recstream}` (a hash tag) with REDIS_CLUSTER_NODES. */
  BULLMQ_PREFIX: z.string().min(1).optional(),
  /** Empty: no schedule, on-demand runs only. */
  SAMPLES_CRON: z.string().default(W.cron ?? ''),
  SAMPLES_TIMEZONE: z.string().default(W.timezone),
  SAMPLES_LOOKBACK_HOURS: z.coerce.number().positive().default(W.lookbackMs / HOUR_MS),
  SAMPLES_ALIGN_MINUTES: z.coerce.number().int().positive().default(W.alignMs / 60_000),
  TRAIN_TARGETS: targets.default([...W.trainTargets]),
  REFRESH_BI: z.enum(['true', 'false']).default(String(W.refreshBi) as 'true' | 'false'),
  LABEL_SOURCE: S.labelSource.default(G.labelSource),
  LABEL_OUTCOME: S.labelOutcome.default(G.labelOutcome),
  ATTRIBUTION_WINDOW_MS: envInt(G.attributionWindowMs),
  MIN_DWELL_MS: envInt(G.minDwellMs, 0),
  IMPLICIT_TYPES: implicitTypes.default([...G.implicitTypes]),
  MIN_RATING: z.coerce.number().min(0).default(G.minRating),
  NEGATIVES_PER_POSITIVE: envInt(G.negativesPerPositive, 0),
  NEGATIVE_STRATEGY: S.negativeStrategy.default(G.negativeStrategy),
  SAMPLER_SEED: z.coerce.number().int().default(G.seed),
  SPLIT_STRATEGY: S.splitStrategy.default(G.splitStrategy),
  TRAIN_FRACTION: fraction(G.trainFraction),
  VALIDATION_FRACTION: fraction(G.validationFraction),
  /** Feature views whose point-in-time coverage is below this share are warned about. */
  COVERAGE_WARNING_BELOW: fraction(W.coverageWarningBelow),
  WORK_MEM: z.string().regex(/^\d+(kB|MB|GB)$/, 'must be a Postgres size such as 256MB').default(O.workMem),
});

/**
 * `samples:generate`'s flags for the sample settings, each the environment
 * variable it overrides: flags are read as that variable, so both are checked
 * here and the defaults stay in the lib.
 */
export const SAMPLE_FLAGS = {
  'label-source': 'LABEL_SOURCE',
  'label-outcome': 'LABEL_OUTCOME',
  'attribution-window-ms': 'ATTRIBUTION_WINDOW_MS',
  'min-dwell-ms': 'MIN_DWELL_MS',
  'implicit-types': 'IMPLICIT_TYPES',
  'min-rating': 'MIN_RATING',
  'negatives-per-positive': 'NEGATIVES_PER_POSITIVE',
  'negative-strategy': 'NEGATIVE_STRATEGY',
  seed: 'SAMPLER_SEED',
  split: 'SPLIT_STRATEGY',
  'train-fraction': 'TRAIN_FRACTION',
  'validation-fraction': 'VALIDATION_FRACTION',
  'coverage-warning-below': 'COVERAGE_WARNING_BELOW',
} as const satisfies Record<string, keyof z.infer<typeof schema>>;

/** The environment with the given flags (SAMPLE_FLAGS names) in place of their variables. */
export function withFlags(env: Record<string, string | undefined>, flags: Partial<Record<keyof typeof SAMPLE_FLAGS, string>>): Record<string, string | undefined> {
  const overrides = Object.entries(flags).filter(([, value]) => value !== undefined).map(([flag, value]) => [SAMPLE_FLAGS[flag as keyof typeof SAMPLE_FLAGS], value]);
  return { ...env, ...Object.fromEntries(overrides) };
}

/** The sample generator's environment, validated at boot. */
export function sampleGeneratorConfig(env: Record<string, string | undefined> = process.env) {
  const e = parseEnv('sample-generator', schema, env);
  const generator: Partial<GeneratorConfig> = {
    labelSource: e.LABEL_SOURCE,
    labelOutcome: e.LABEL_OUTCOME,
    attributionWindowMs: e.ATTRIBUTION_WINDOW_MS,
    minDwellMs: e.MIN_DWELL_MS,
    implicitTypes: e.IMPLICIT_TYPES,
    minRating: e.MIN_RATING,
    negativesPerPositive: e.NEGATIVES_PER_POSITIVE,
    negativeStrategy: e.NEGATIVE_STRATEGY,
    seed: e.SAMPLER_SEED,
    splitStrategy: e.SPLIT_STRATEGY,
    trainFraction: e.TRAIN_FRACTION,
    validationFraction: e.VALIDATION_FRACTION,
  };
  const worker: Omit<SampleJobWorkerOptions, 'retry'> = {
    prefix: queuePrefix(e.BULLMQ_PREFIX, clusterSeeds(e.REDIS_CLUSTER_NODES).length > 0),
    cron: e.SAMPLES_CRON || null,
    timezone: e.SAMPLES_TIMEZONE,
    lookbackMs: e.SAMPLES_LOOKBACK_HOURS * HOUR_MS,
    alignMs: e.SAMPLES_ALIGN_MINUTES * 60_000,
    trainTargets: e.TRAIN_TARGETS,
    refreshBi: e.REFRESH_BI === 'true',
    coverageWarningBelow: e.COVERAGE_WARNING_BELOW,
  };
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    logLevel: e.LOG_LEVEL,
    http: { port: e.PORT, host: e.HOST },
    generator: { config: generator, workMem: e.WORK_MEM },
    worker,
    viewCatalogue: viewCatalogueFrom(e),
  };
}
