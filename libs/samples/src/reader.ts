import type pg from 'pg';
import type { ItemAttributes, ItemStats, UserActivity, UserProfile, UserSequence } from '@recstream/features';
import { NonRetriableError } from '@recstream/platform';
import { readManifest } from './manifest.js';

export type Split = 'train' | 'validation' | 'test';
export type Holdout = 'train' | 'test';

/** The feature views a sample carries, as of just before its label time (defaults where none was within TTL). */
export interface SampleFeatures {
  user_activity: UserActivity;
  user_sequence: UserSequence;
  user_profile: UserProfile;
  item_stats: ItemStats;
  item_attributes: ItemAttributes;
}

/** One training sample, as the trainer receives it. */
export interface Sample {
  /** Orders a version by label time; resume a read after the last one seen. */
  sampleId: number;
  userId: string;
  itemId: string;
  /** Epoch ms of the exposure (or implicit interaction) labelled. */
  labelTime: number;
  /** 0 or 1, from the generator's labelOutcome. */
  label: number;
  clicked: boolean;
  converted: boolean;
  dwellMs: number;
  /** Drawn by the negative sampler rather than observed. */
  sampledNegative: boolean;
  requestId: string | null;
  /** The event's context: surface, position, device, ... */
  context: Record<string, unknown>;
  features: SampleFeatures;
  split: Split;
  holdout: Holdout | null;
}

export interface ReadSamplesOptions {
  /** Samples per batch; memory is bounded by one batch. */
  batchSize: number;
  /** Only these splits (by time; held-out positives are always test); all when omitted. */
  splits?: readonly Split[];
  /** Only the leave-latest-out training rows or held-out rows. */
  holdout?: Holdout;
  /** Resume after this sample id (the last one a previous read yielded). */
  afterSampleId: number;
}

export const DEFAULT_READ_SAMPLES_OPTIONS: ReadSamplesOptions = { batchSize: 4_096, afterSampleId: 0 };

/**
 * Streams a ready dataset version in sample_id order, one batch per yield,
 * with each sample's user and item feature rows joined in, by keyset
 * pagination on the version's primary key: each batch is a short
 * query, so no transaction or cursor stays open while the trainer works
 * between batches, and memory holds one batch.
 *
 *   for await (const batch of readSamples(pool, version, { splits: ['train'] })) train(batch);
 */
export async function* readSamples(pool: pg.Pool, datasetVersion: string, options: Partial<ReadSamplesOptions> = {}): AsyncGenerator<Sample[]> {
  const { batchSize, splits, holdout, afterSampleId } = { ...DEFAULT_READ_SAMPLES_OPTIONS, ...options };
  const manifest = await readManifest(pool, datasetVersion);
  if (manifest?.status !== 'ready') {
    throw new NonRetriableError(
      `dataset version ${datasetVersion} is ${manifest ? manifest.status : 'unknown'}; read a version whose manifest status is ready (see bi_dataset_manifests)`,
    );
  }
  let after = afterSampleId;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT sample_id::float8 AS sample_id, user_id, item_id, (extract(epoch FROM label_time) * 1000)::float8 AS label_ms, label, clicked, converted,
              dwell_ms, sampled_negative, request_id, context, split, holdout, user_key::float8 AS user_key, item_key::float8 AS item_key
         FROM samples
        WHERE dataset_version = $1 AND sample_id > $2 AND ($3::text[] IS NULL OR split = ANY($3)) AND ($4::text IS NULL OR holdout = $4)
        ORDER BY sample_id LIMIT $5`,
      [datasetVersion, after, splits ?? null, holdout ?? null, batchSize],
    );
    if (rows.length === 0) return;
    const [users, items] = await Promise.all([
      featureRows(pool, datasetVersion, 'user', rows.map((row) => row.user_key)),
      featureRows(pool, datasetVersion, 'item', rows.map((row) => row.item_key)),
    ]);
    yield rows.map((row) => toSample(row, { ...users.get(row.user_key), ...items.get(row.item_key) } as SampleFeatures));
    after = rows.at(-1)!.sample_id;
    if (rows.length < batchSize) return;
  }
}

/**
 * A page's feature rows by primary key, fetched apart from the samples so
 * each is a plain index lookup whatever the planner thinks of the partitions.
 */
async function featureRows(pool: pg.Pool, datasetVersion: string, entity: 'user' | 'item', keys: number[]): Promise<Map<number, object>> {
  const { rows } = await pool.query<{ key: number; features: object }>(
    'SELECT key::float8 AS key, features FROM sample_features WHERE dataset_version = $1 AND entity = $2 AND key = ANY($3::bigint[])',
    [datasetVersion, entity, [...new Set(keys)]],
  );
  return new Map(rows.map((row) => [row.key, row.features]));
}

function toSample(row: Record<string, unknown>, features: SampleFeatures): Sample {
  return {
    sampleId: row.sample_id as number,
    userId: row.user_id as string,
    itemId: row.item_id as string,
    labelTime: row.label_ms as number,
    label: row.label as number,
    clicked: row.clicked as boolean,
    converted: row.converted as boolean,
    dwellMs: row.dwell_ms as number,
    sampledNegative: row.sampled_negative as boolean,
    requestId: row.request_id as string | null,
    context: row.context as Record<string, unknown>,
    features,
    split: row.split as Split,
    holdout: row.holdout as Holdout | null,
  };
}
