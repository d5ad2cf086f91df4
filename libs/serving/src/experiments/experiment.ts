import { z } from 'zod';
import { unitHash } from '../ids.js';
import type { Pins } from '../models/model-store.js';

/**
 * A variant's `strategy` column: re-ranking settings it overrides (see
 * RerankOptions), and `online`, how its models take the online updater's
 * deltas: `follow` (the default) as production does, or `frozen`, copies of
 * its pinned versions that never receive any, to measure what online
 * learning adds. A frozen variant pins both versions.
 */
export const Strategy = z
  .object({
    diversity: z.number().min(0).max(1),
    explorationRate: z.number().min(0).max(1),
    freshnessWeight: z.number().min(0),
    popularityWeight: z.number().min(0),
    online: z.enum(['follow', 'frozen']),
  })
  .partial()
  .strict();
export type Strategy = z.infer<typeof Strategy>;
export type OnlineUpdates = NonNullable<Strategy['online']>;

export interface Variant {
  name: string;
  share: number;
  recallVersion: number | null;
  rankingVersion: number | null;
  /** Re-ranking overrides. */
  strategy: Omit<Strategy, 'online'>;
  online: OnlineUpdates;
}

export interface Experiment {
  id: string;
  surface: string | null;
  /** Ordered by name, so cumulative shares are the same on every replica. */
  variants: Variant[];
}

export interface Assignment {
  experiment: string;
  variant: Variant;
}

/**
 * The variant of `experiment` a user falls in: a hash of the experiment and
 * user ids, uniform in [0, 1), against the variants' cumulative shares.
 * Salting with the experiment id keeps concurrent experiments independent.
 */
export function bucket(experiment: Experiment, userId: string): Variant {
  const point = unitHash(`${experiment.id}:${userId}`);
  let cumulative = 0;
  for (const variant of experiment.variants) {
    cumulative += variant.share;
    if (point < cumulative) return variant;
  }
  return experiment.variants.at(-1)!;
}

/** The first active experiment (by id) that runs on the request's surface. */
function experimentOn(experiments: readonly Experiment[], surface: string | undefined): Experiment | undefined {
  return experiments.find((candidate) => candidate.surface === null || candidate.surface === surface);
}

/** The first active experiment (by id) that runs on the request's surface, and the user's variant in it. */
export function assign(experiments: readonly Experiment[], userId: string, surface: string | undefined): Assignment | undefined {
  const experiment = experimentOn(experiments, surface);
  return experiment && { experiment: experiment.id, variant: bucket(experiment, userId) };
}

/** The variant named `name` of the experiment `assign` picks on the surface, whatever the user's bucket: what a preview serves as. */
export function assignNamed(experiments: readonly Experiment[], surface: string | undefined, name: string): Assignment | undefined {
  const experiment = experimentOn(experiments, surface);
  const variant = experiment?.variants.find((candidate) => candidate.name === name);
  return experiment && variant && { experiment: experiment.id, variant };
}

/** The model versions a request in `variant` runs on; production (and following deltas) outside any experiment. */
export function modelPins(variant: Variant | undefined): Pins {
  return { recall: variant?.recallVersion ?? null, ranking: variant?.rankingVersion ?? null, frozen: variant?.online === 'frozen' };
}
