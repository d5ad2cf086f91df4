import type pg from 'pg';
import { RecstreamError } from '@recstream/platform';
import type { BuildContext } from './steps/context.js';
import { exposureLabels } from './steps/exposure-labels.js';
import { SAMPLE_VIEWS, joinFeatures } from './steps/features.js';
import { implicitLabels } from './steps/implicit-labels.js';
import { refuseEmpty } from './steps/empty.js';
import { attachPartitions, dropPartitions, writeSamples } from './steps/write.js';
import { completeManifest, failManifest, readManifest, startManifest, type DatasetManifest } from './manifest.js';
import { generatorConfig, type GeneratorConfig } from './options.js';
import { checkRange, datasetVersionFor, rangeKey, type TimeRange } from './range.js';

export interface SampleGeneratorOptions {
  /** Overrides of DEFAULT_GENERATOR_CONFIG; the merged config is what the manifest records. */
  config: Partial<GeneratorConfig>;
  /** Postgres work_mem for the build's sorts and hashes, and maintenance_work_mem for its index builds (SET LOCAL, this transaction only). */
  workMem: string;
}

export const DEFAULT_SAMPLE_GENERATOR_OPTIONS: SampleGeneratorOptions = { config: {}, workMem: '256MB' };

/** A build step finished; `elapsedMs` since the build started. */
export interface GenerateProgress {
  datasetVersion: string;
  step: string;
  elapsedMs: number;
  /** Share of the build's steps done, 0..1. */
  done: number;
}

export interface GenerateRequest {
  range: TimeRange;
  /** Build again even when a ready version with the same range and config exists (e.g. after late events). */
  rebuild?: boolean;
  onProgress?: (progress: GenerateProgress) => void;
}

export interface GenerateResult {
  manifest: DatasetManifest;
  /** True when a ready version already existed and was returned as it was. */
  reused: boolean;
}

const lockKey = (range: TimeRange) => `samples:${rangeKey(range)}`;

/** labels, one per feature view, write, attach */
const STEPS = SAMPLE_VIEWS.length + 3;

/**
 * Builds a dataset version for a time range in one Postgres transaction:
 * labels, point-in-time features, split, written to a table attached as the
 * version's partition, manifest marked ready. Nothing is published unless all
 * of it succeeds, and a version without samples or positives is marked failed
 * with the reason (EmptyDatasetError). One build per range runs at a time (an
 * advisory lock on the range); a second one fails with a retriable error.
 */
export class SampleGenerator {
  readonly options: SampleGeneratorOptions;
  readonly config: GeneratorConfig;

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<SampleGeneratorOptions> = {},
  ) {
    this.options = { ...DEFAULT_SAMPLE_GENERATOR_OPTIONS, ...options };
    this.config = generatorConfig(this.options.config);
  }

  datasetVersion(range: TimeRange): string {
    return datasetVersionFor(checkRange(range), this.config);
  }

  async generate({ range, rebuild = false, onProgress = () => {} }: GenerateRequest): Promise<GenerateResult> {
    const datasetVersion = this.datasetVersion(range);
    const client = await this.pool.connect();
    try {
      await this.lockRange(client, range);
      try {
        const existing = await readManifest(client, datasetVersion);
        if (existing?.status === 'ready' && !rebuild) return { manifest: existing, reused: true };
        await startManifest(client, datasetVersion, range, this.config);
        try {
          await this.build({ client, range, config: this.config, datasetVersion }, onProgress);
        } catch (error) {
          await failManifest(client, datasetVersion, error);
          throw error;
        }
        return { manifest: (await readManifest(client, datasetVersion))!, reused: false };
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey(range)]);
      }
    } finally {
      client.release();
    }
  }

  private async lockRange(client: pg.PoolClient, range: TimeRange): Promise<void> {
    const key = lockKey(range);
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (!rows[0]!.locked) {
      throw new RecstreamError(`another sample generator run holds ${key}; this run is retried after it (or run the CLI again later)`, {
        context: { range },
      });
    }
  }

  private async build(ctx: BuildContext, onProgress: (progress: GenerateProgress) => void): Promise<void> {
    const { client, datasetVersion } = ctx;
    const started = performance.now();
    let step = 0;
    const progress = (name: string) => onProgress({ datasetVersion, step: name, elapsedMs: performance.now() - started, done: ++step / STEPS });
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('work_mem', $1, true)`, [this.options.workMem]);
      // Attaching the partitions builds their primary key indexes.
      await client.query(`SELECT set_config('maintenance_work_mem', $1, true)`, [this.options.workMem]);
      // Every join here is bulk (labels x keys x views); the planner misjudges
      // joins on fresh temp tables and picks nested loops that run for minutes,
      // or merge joins that sort the wide feature history instead of hashing the keys.
      await client.query(`SET LOCAL enable_nestloop = off`);
      await client.query(`SET LOCAL enable_mergejoin = off`);
      // That setting inflates the plans' costs past the JIT thresholds, which
      // then compiles and optimizes every bulk statement for no gain.
      await client.query(`SET LOCAL jit = off`);
      // A version lost to a crash goes with its manifest and is built again,
      // so the commit need not wait for its WAL to reach the disk.
      await client.query(`SET LOCAL synchronous_commit = off`);
      // Behaviour sequences make feature rows big enough to be compressed; lz4
      // is cheaper than the default pglz (docs/decisions/samples-sql.md).
      await client.query(`SET LOCAL default_toast_compression = lz4`);
      await dropPartitions(client, datasetVersion);
      const extra = ctx.config.labelSource === 'exposures' ? (await exposureLabels(ctx), {}) : await implicitLabels(ctx);
      // The columns later steps join and filter on; statistics of the JSON context would only cost.
      await client.query('ANALYZE s_labels (user_id, item_id, label_time, label, sampled_negative)');
      await refuseEmpty(ctx);
      progress('labels');
      const coverage = await joinFeatures(ctx, (view) => progress(`features:${view}`));
      const written = await writeSamples(ctx);
      progress('write');
      await attachPartitions(ctx);
      await completeManifest(client, datasetVersion, written, coverage, extra, performance.now() - started);
      await client.query('COMMIT');
      progress('attach');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}
