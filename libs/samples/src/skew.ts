import type pg from 'pg';
import { modelFeatures } from '@recstream/features';
import { MODEL_FEATURE_NAMES, type ModelFeatureName, type ModelFeatures } from '@recstream/schemas';
import { readSamples, type Sample } from './reader.js';

export interface FeatureSkewOptions {
  /** Two numbers agree when they differ by at most this share of the larger (at least 1). */
  tolerance: number;
  /** Samples read per query. */
  batchSize: number;
}

export const DEFAULT_FEATURE_SKEW_OPTIONS: FeatureSkewOptions = { tolerance: 0.01, batchSize: 4_096 };

export interface FeatureMismatch {
  feature: ModelFeatureName;
  /** Exposures compared on this feature (where either side has a value). */
  compared: number;
  mismatches: number;
  rate: number;
  /** One disagreeing pair, to show what differs. */
  example?: { requestId: string; itemId: string; served: string | number | null; joined: string | number | null };
}

export interface FeatureSkewReport {
  datasetVersion: string;
  /** The dataset's exposure samples whose exposure event carries the features serving scored it with. */
  exposures: number;
  features: FeatureMismatch[];
}

/**
 * Training/serving skew: for each exposure sample of a dataset version
 * whose exposure event carries the model features serving scored it with,
 * the same features derived from the sample's point-in-time views (what the
 * trainer reads), compared feature by feature. A mismatch rate above a few
 * percent means the online and offline paths compute a feature differently.
 */
export async function measureFeatureSkew(pool: pg.Pool, datasetVersion: string, options: Partial<FeatureSkewOptions> = {}): Promise<FeatureSkewReport> {
  const o = { ...DEFAULT_FEATURE_SKEW_OPTIONS, ...options };
  const tallies = new Map(MODEL_FEATURE_NAMES.map((feature): [ModelFeatureName, FeatureMismatch] => [feature, { feature, compared: 0, mismatches: 0, rate: 0 }]));
  let exposures = 0;
  for await (const samples of readSamples(pool, datasetVersion, { batchSize: o.batchSize })) {
    const served = await servedFeatures(pool, samples);
    for (const sample of samples) {
      const logged = served.get(exposureKey(sample.requestId, sample.itemId));
      if (!logged) continue;
      exposures++;
      const joined = modelFeatures(sample.features, sample.features, sample.labelTime);
      for (const tally of tallies.values()) {
        const [a, b] = [logged[tally.feature] ?? null, joined[tally.feature] ?? null];
        if (a === null && b === null) continue;
        tally.compared++;
        if (agree(a, b, o.tolerance)) continue;
        tally.mismatches++;
        tally.example ??= { requestId: sample.requestId!, itemId: sample.itemId, served: a, joined: b };
      }
    }
  }
  const features = [...tallies.values()].map((t) => ({ ...t, rate: t.compared === 0 ? 0 : t.mismatches / t.compared }));
  return { datasetVersion, exposures, features };
}

/** The features logged on the exposures of `samples`, by request and item. */
async function servedFeatures(pool: pg.Pool, samples: readonly Sample[]): Promise<Map<string, ModelFeatures>> {
  const requests = [...new Set(samples.flatMap((sample) => (sample.requestId === null ? [] : [sample.requestId])))];
  if (requests.length === 0) return new Map();
  const { rows } = await pool.query<{ request_id: string; item_id: string; features: ModelFeatures }>(
    `SELECT request_id, item_id, payload->'features' AS features FROM event_log
      WHERE type = 'exposure' AND request_id = ANY($1::text[]) AND payload ? 'features'`,
    [requests],
  );
  return new Map(rows.map((row) => [exposureKey(row.request_id, row.item_id), row.features]));
}

const exposureKey = (requestId: string | null, itemId: string) => `${requestId}\u0000${itemId}`;

function agree(a: string | number | null, b: string | number | null, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}
