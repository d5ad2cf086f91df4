import type pg from 'pg';
import type { Logger } from '@recstream/platform';
import { Strategy, type Experiment } from './experiment.js';

const SHARE_TOLERANCE = 1e-6;

interface Row {
  experiment_id: string;
  surface: string | null;
  variant: string;
  share: number;
  recall_version: string | null;
  ranking_version: string | null;
  strategy: unknown;
}

/**
 * Active experiments with their variants. An experiment whose shares do not
 * sum to 1 or whose strategy is malformed is skipped and logged, so one bad
 * row cannot take serving down; its users get the production path.
 */
export async function loadExperiments(pool: pg.Pool, logger: Logger): Promise<Experiment[]> {
  const { rows } = await pool.query<Row>(
    `SELECT e.experiment_id, e.surface, v.variant, v.share, v.recall_version, v.ranking_version, v.strategy
       FROM experiments e JOIN experiment_variants v USING (experiment_id)
      WHERE e.active
      ORDER BY e.experiment_id, v.variant`,
  );
  const experiments = new Map<string, Experiment & { invalid?: string }>();
  for (const row of rows) {
    let experiment = experiments.get(row.experiment_id);
    if (!experiment) experiments.set(row.experiment_id, (experiment = { id: row.experiment_id, surface: row.surface, variants: [] }));
    const parsed = Strategy.safeParse(row.strategy);
    if (!parsed.success) experiment.invalid = `variant ${row.variant}'s strategy: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
    const { online = 'follow', ...strategy } = parsed.success ? parsed.data : {};
    const variant = {
      name: row.variant,
      share: Number(row.share),
      recallVersion: row.recall_version === null ? null : Number(row.recall_version),
      rankingVersion: row.ranking_version === null ? null : Number(row.ranking_version),
      strategy,
      online,
    };
    // Frozen copies of production would be replaced by the next promotion: the versions must be named.
    if (online === 'frozen' && (variant.recallVersion === null || variant.rankingVersion === null)) {
      experiment.invalid = `variant ${row.variant} is frozen but does not pin both recall_version and ranking_version`;
    }
    experiment.variants.push(variant);
  }
  const valid: Experiment[] = [];
  for (const { invalid, ...experiment } of experiments.values()) {
    const total = experiment.variants.reduce((sum, variant) => sum + variant.share, 0);
    const problem = invalid ?? (Math.abs(total - 1) > SHARE_TOLERANCE ? `shares sum to ${total}, not 1` : undefined);
    if (problem) logger.warn({ experiment: experiment.id }, `experiment ${experiment.id} skipped: ${problem}; fix its rows in experiment_variants`);
    else valid.push(experiment);
  }
  return valid;
}
