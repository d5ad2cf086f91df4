import type pg from 'pg';
import { differenceInterval, type RateInterval } from './intervals.js';

/** The variant the others are compared with: the one named this, else the first by name. */
export const CONTROL_VARIANT = 'control';

export interface VariantResult {
  variant: string;
  share: number;
  exposures: number;
  users: number;
  clicks: number;
  /** CTR with its 95% Wilson interval; null before the variant's first exposure. */
  ctr: RateInterval | null;
  /** CTR minus the control's, with its 95% interval; null for the control and without exposures on either side. */
  versusControl: RateInterval | null;
}

export interface ExperimentResult {
  id: string;
  description: string;
  surface: string | null;
  active: boolean;
  control: string;
  variants: VariantResult[];
}

interface Row {
  experiment_id: string;
  description: string;
  surface: string | null;
  active: boolean;
  variant: string;
  share: number;
  exposures: string | null;
  users: string | null;
  clicks: string | null;
  ctr: number | null;
  ctr_ci_low: number | null;
  ctr_ci_high: number | null;
}

/**
 * Every experiment with each variant's exposures, clicks and CTR interval
 * (from the live `experiment_variant_metrics` view) and its CTR difference
 * from the control. Active experiments first, newest first.
 */
export async function readExperiments(pool: pg.Pool): Promise<ExperimentResult[]> {
  const { rows } = await pool.query<Row>(
    `SELECT e.experiment_id, e.description, e.surface, e.active, v.variant, v.share,
            m.exposures, m.users, m.clicks, m.ctr, m.ctr_ci_low, m.ctr_ci_high
       FROM experiments e
       JOIN experiment_variants v USING (experiment_id)
       LEFT JOIN experiment_variant_metrics m ON m.experiment = e.experiment_id AND m.variant = v.variant
      ORDER BY e.active DESC, e.created_at DESC, e.experiment_id, v.variant`,
  );
  const experiments = new Map<string, ExperimentResult>();
  for (const row of rows) {
    let experiment = experiments.get(row.experiment_id);
    if (!experiment) {
      experiment = { id: row.experiment_id, description: row.description, surface: row.surface, active: row.active, control: row.variant, variants: [] };
      experiments.set(row.experiment_id, experiment);
    }
    if (row.variant === CONTROL_VARIANT) experiment.control = row.variant;
    experiment.variants.push({
      variant: row.variant,
      share: Number(row.share),
      exposures: Number(row.exposures ?? 0),
      users: Number(row.users ?? 0),
      clicks: Number(row.clicks ?? 0),
      ctr: row.ctr === null ? null : { rate: row.ctr, low: Number(row.ctr_ci_low), high: Number(row.ctr_ci_high) },
      versusControl: null,
    });
  }
  for (const experiment of experiments.values()) {
    const control = experiment.variants.find((v) => v.variant === experiment.control)?.ctr;
    for (const variant of experiment.variants) {
      if (control && variant.ctr && variant.variant !== experiment.control) variant.versusControl = differenceInterval(variant.ctr, control);
    }
  }
  return [...experiments.values()];
}
