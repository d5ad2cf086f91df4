import type pg from 'pg';
import type { GeneratorConfig } from './options.js';
import type { TimeRange } from './range.js';
import type { WrittenStats } from './steps/write.js';

export type DatasetStatus = 'building' | 'ready' | 'failed';

/** A row of dataset_manifests: what a dataset version was built from and what it holds. */
export interface DatasetManifest {
  datasetVersion: string;
  status: DatasetStatus;
  labelSource: GeneratorConfig['labelSource'];
  range: TimeRange;
  sampleCount: number;
  positiveCount: number;
  /** Positives / samples; null for an empty version. */
  labelRate: number | null;
  /** Rows per time split and per leave-latest-out role. */
  splitCounts: Record<string, number>;
  /** Feature view -> share of samples that found a value within TTL (the rest carry defaults). */
  featureCoverage: Record<string, number>;
  stats: Record<string, unknown>;
  config: GeneratorConfig;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
  buildMs: number | null;
}

/** Below this share of samples with a point-in-time value, a view's coverage is worth a warning. */
export const DEFAULT_COVERAGE_WARNING_BELOW = 0.5;

/** The manifest's views whose coverage is below `threshold`, lowest first. */
export function lowCoverage(manifest: Pick<DatasetManifest, 'featureCoverage'>, threshold = DEFAULT_COVERAGE_WARNING_BELOW): { view: string; coverage: number }[] {
  return Object.entries(manifest.featureCoverage ?? {})
    .filter(([, coverage]) => coverage < threshold)
    .map(([view, coverage]) => ({ view, coverage }))
    .sort((a, b) => a.coverage - b.coverage);
}

export async function readManifest(db: pg.Pool | pg.ClientBase, datasetVersion: string): Promise<DatasetManifest | undefined> {
  const { rows } = await db.query('SELECT * FROM dataset_manifests WHERE dataset_version = $1', [datasetVersion]);
  return rows[0] ? toManifest(rows[0]) : undefined;
}

/** Records (or restarts) a build, visible at once so a running or failed build can be seen. */
export async function startManifest(db: pg.ClientBase, datasetVersion: string, range: TimeRange, config: GeneratorConfig): Promise<void> {
  await db.query(
    `INSERT INTO dataset_manifests (dataset_version, status, label_source, range_from, range_to, config)
     VALUES ($1, 'building', $2, to_timestamp($3::float8 / 1000), to_timestamp($4::float8 / 1000), $5)
     ON CONFLICT (dataset_version) DO UPDATE SET status = 'building', error = NULL, created_at = now(), completed_at = NULL, build_ms = NULL`,
    [datasetVersion, config.labelSource, range.from, range.to, config],
  );
}

export async function completeManifest(
  db: pg.ClientBase,
  datasetVersion: string,
  written: WrittenStats,
  featureCoverage: Record<string, number>,
  extra: Record<string, unknown>,
  buildMs: number,
): Promise<void> {
  const stats = { users: written.users, items: written.items, firstLabelMs: written.firstLabelMs, lastLabelMs: written.lastLabelMs, ...extra };
  await db.query(
    `UPDATE dataset_manifests SET status = 'ready', sample_count = $2, positive_count = $3, label_rate = $4, split_counts = $5,
            feature_coverage = $6, stats = $7, completed_at = now(), build_ms = $8
      WHERE dataset_version = $1`,
    [datasetVersion, written.samples, written.positives, written.samples > 0 ? written.positives / written.samples : null, written.splits, featureCoverage, stats, Math.round(buildMs)],
  );
}

export async function failManifest(db: pg.ClientBase, datasetVersion: string, error: unknown): Promise<void> {
  await db.query(`UPDATE dataset_manifests SET status = 'failed', error = $2, completed_at = now() WHERE dataset_version = $1 AND status = 'building'`, [
    datasetVersion,
    error instanceof Error ? error.message : String(error),
  ]);
}

function toManifest(row: Record<string, unknown>): DatasetManifest {
  const n = (value: unknown) => Number(value);
  return {
    datasetVersion: row.dataset_version as string,
    status: row.status as DatasetStatus,
    labelSource: row.label_source as GeneratorConfig['labelSource'],
    range: { from: (row.range_from as Date).getTime(), to: (row.range_to as Date).getTime() },
    sampleCount: n(row.sample_count),
    positiveCount: n(row.positive_count),
    labelRate: row.label_rate as number | null,
    splitCounts: row.split_counts as Record<string, number>,
    featureCoverage: row.feature_coverage as Record<string, number>,
    stats: row.stats as Record<string, unknown>,
    config: row.config as GeneratorConfig,
    error: row.error as string | null,
    createdAt: row.created_at as Date,
    completedAt: row.completed_at as Date | null,
    buildMs: row.build_ms === null ? null : n(row.build_ms),
  };
}
