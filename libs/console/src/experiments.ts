import type pg from 'pg';
import { differenceInterval, ratioInterval, sampleRatioMismatch, type Estimate, type SampleRatioCheck } from '@recstream/platform';

/** The variant the others are compared with: the one named this, else the first by name. */
export const CONTROL_VARIANT = 'control';

export interface VariantResult {
  variant: string;
  share: number;
  exposures: number;
  /**
   * Exposures serving could not deliver to Kafka (counted in
   * experiment_exposures_dropped), so `exposures` and the CTR leave them out.
   */
  exposuresDropped: number;
  users: number;
  clicks: number;
  /** CTR with its user-level 95% interval (unbounded below two users); null before the variant's first exposure. */
  ctr: Estimate | null;
  /** CTR minus the control's, with its 95% interval; null for the control and without exposures on either side. */
  versusControl: Estimate | null;
}

export interface ExperimentResult {
  id: string;
  description: string;
  surface: string | null;
  active: boolean;
  control: string;
  variants: VariantResult[];
  /** Exposed users per variant against the configured shares; null before any exposure and with one variant. */
  sampleRatio: SampleRatioCheck | null;
}

export interface ReadExperimentsOptions {
  /** Only this experiment; every experiment when omitted. */
  experimentId?: string;
}

interface Row {
  experiment_id: string;
  description: string;
  surface: string | null;
  active: boolean;
  variant: string;
  share: number;
  users: string | null;
  exposures: string | null;
  clicks: string | null;
  exposures_sq: string | null;
  clicks_sq: string | null;
  clicks_exposures: string | null;
  dropped: string | null;
}

/**
 * Every experiment (or one) with each variant's exposures, clicks and CTR
 * interval, its CTR difference from the control, and a sample-ratio check,
 * all with the user as the unit (per-user sums from the live
 * `experiment_variant_metrics` view), and the exposures serving dropped
 * before they reached Kafka (`experiment_exposures_dropped`). Active experiments first, newest first.
 */
export async function readExperiments(pool: pg.Pool, options: ReadExperimentsOptions = {}): Promise<ExperimentResult[]> {
  const { rows } = await pool.query<Row>(
    `SELECT e.experiment_id, e.description, e.surface, e.active, v.variant, v.share,
            m.users, m.exposures, m.clicks, m.exposures_sq, m.clicks_sq, m.clicks_exposures, d.dropped
       FROM experiments e
       JOIN experiment_variants v USING (experiment_id)
       LEFT JOIN experiment_variant_metrics m ON m.experiment = e.experiment_id AND m.variant = v.variant
       LEFT JOIN experiment_exposures_dropped d ON d.experiment = e.experiment_id AND d.variant = v.variant
      WHERE $1::text IS NULL OR e.experiment_id = $1
      ORDER BY e.active DESC, e.created_at DESC, e.experiment_id, v.variant`,
    [options.experimentId ?? null],
  );
  const experiments = new Map<string, ExperimentResult>();
  for (const row of rows) {
    let experiment = experiments.get(row.experiment_id);
    if (!experiment) {
      experiment = { id: row.experiment_id, description: row.description, surface: row.surface, active: row.active, control: row.variant, variants: [], sampleRatio: null };
      experiments.set(row.experiment_id, experiment);
    }
    if (row.variant === CONTROL_VARIANT) experiment.control = row.variant;
    const moments = { units: Number(row.users ?? 0), x: Number(row.exposures ?? 0), y: Number(row.clicks ?? 0), xx: Number(row.exposures_sq ?? 0), yy: Number(row.clicks_sq ?? 0), xy: Number(row.clicks_exposures ?? 0) };
    experiment.variants.push({
      variant: row.variant,
      share: Number(row.share),
      exposures: moments.x,
      exposuresDropped: Number(row.dropped ?? 0),
      users: moments.units,
      clicks: moments.y,
      ctr: moments.x === 0 ? null : ratioInterval(moments),
      versusControl: null,
    });
  }
  for (const experiment of experiments.values()) {
    const control = experiment.variants.find((v) => v.variant === experiment.control)?.ctr;
    for (const variant of experiment.variants) {
      if (control && variant.ctr && variant.variant !== experiment.control) variant.versusControl = differenceInterval(variant.ctr, control);
    }
    const users = experiment.variants.map((v) => v.users);
    if (users.length > 1 && users.some((count) => count > 0)) experiment.sampleRatio = sampleRatioMismatch(users, experiment.variants.map((v) => v.share));
  }
  return [...experiments.values()];
}
