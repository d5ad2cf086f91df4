import { z } from 'zod';
import { CONVERSION_TYPES, DEFAULT_FEATURE_BUILDER_OPTIONS } from '@recstream/features';
import { NonRetriableError } from '@recstream/platform';
import { INTERACTION_TYPES } from '@recstream/schemas';

const MINUTE_MS = 60_000;

export const LABEL_SOURCES = ['exposures', 'implicit'] as const;
export const SPLIT_STRATEGIES = ['time', 'leave-latest-out'] as const;

/**
 * How a dataset version is built. Stored whole in its manifest, so a version
 * says exactly what produced it; the version name hashes it.
 */
export const GeneratorConfig = z
  .object({
    /**
     * `exposures`: each served item is a sample, labelled by the outcome that
     * followed it. `implicit`: each user-item interaction is a positive, with
     * sampled negatives (for logs without exposures: views, ratings).
     */
    labelSource: z.enum(LABEL_SOURCES),
    /** Outcomes count for an exposure when they share its request_id and item and happen this long after it at most. */
    attributionWindowMs: z.number().int().positive(),
    /** Which outcome is `label` (all three are kept as columns). */
    labelOutcome: z.enum(['click', 'conversion', 'dwell']),
    /** With labelOutcome `dwell`: a view at least this long is a positive. */
    minDwellMs: z.number().int().min(0),
    /** Interaction types that make an implicit positive. */
    implicitTypes: z.array(z.enum(INTERACTION_TYPES)).min(1),
    /** A rating below this is not a positive. */
    minRating: z.number().min(0),
    /** Sampled negatives per implicit positive. */
    negativesPerPositive: z.number().int().min(0).max(1_000),
    /** `uniform` over the catalogue seen in the log, or `popularity`: proportional to interactions^popularityExponent. */
    negativeStrategy: z.enum(['uniform', 'popularity']),
    popularityExponent: z.number().min(0).max(2),
    /** Interactions in the behaviour sequence read from the event log; the feature builder's length, so training sees what serving sees. */
    sequenceLength: z.number().int().min(1).max(1_000),
    /** Seed of the negative sampler: the same seed and log give the same negatives. */
    seed: z.number().int(),
    /**
     * `time`: train / validation / test by label time (the fractions below).
     * `leave-latest-out`: each user's latest positive (and the negatives at or
     * after it) is test, every other sample is train, none is validation: the
     * NCF protocol, comparable with `npm run ncf` on the same history.
     * Either way each user's held-out (user, item) pair is never train.
     */
    splitStrategy: z.enum(SPLIT_STRATEGIES),
    /** Shares of the range, oldest first, for the time-based train/validation/test split; the test share is the rest. */
    trainFraction: z.number().gt(0).lt(1),
    validationFraction: z.number().min(0).lt(1),
  })
  .strict()
  .refine((config) => config.trainFraction + config.validationFraction < 1, 'trainFraction + validationFraction must leave a test share (be below 1)');
export type GeneratorConfig = z.infer<typeof GeneratorConfig>;

export const DEFAULT_GENERATOR_CONFIG: GeneratorConfig = {
  labelSource: 'exposures',
  attributionWindowMs: 30 * MINUTE_MS,
  labelOutcome: 'click',
  minDwellMs: 10_000,
  implicitTypes: ['click', 'view', 'add_to_cart', 'purchase', 'like', 'rating'],
  minRating: 4,
  negativesPerPositive: 4,
  negativeStrategy: 'popularity',
  popularityExponent: 0.75,
  sequenceLength: DEFAULT_FEATURE_BUILDER_OPTIONS.sequenceLength,
  seed: 1,
  splitStrategy: 'time',
  trainFraction: 0.8,
  validationFraction: 0.1,
};

/** Merges overrides onto the defaults once and checks the result. */
export function generatorConfig(overrides: Partial<GeneratorConfig> = {}): GeneratorConfig {
  const result = GeneratorConfig.safeParse({ ...DEFAULT_GENERATOR_CONFIG, ...overrides });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
  throw new NonRetriableError(`invalid sample generator config (${problems}); fix these settings and run again`);
}

/** Event types whose outcome counts as a conversion: the feature views' definition, so labels and features agree. */
export const CONVERSIONS: readonly string[] = [...CONVERSION_TYPES];
