import type pg from 'pg';

/** The materialized BI views (migration bi-views), refreshed after each scheduled run. */
export const BI_MATERIALIZED_VIEWS = ['bi_daily_active_users', 'bi_daily_events', 'bi_item_coverage', 'bi_experiment_outcomes'] as const;

/**
 * Refreshes every materialized BI view CONCURRENTLY, so dashboards keep
 * reading the previous contents meanwhile. Returns the milliseconds each took.
 */
export async function refreshBiViews(pool: pg.Pool): Promise<Record<string, number>> {
  const took: Record<string, number> = {};
  for (const view of BI_MATERIALIZED_VIEWS) {
    const started = performance.now();
    // Identifiers cannot be parameters; these are the constants above.
    await pool.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${view}`);
    took[view] = Math.round(performance.now() - started);
  }
  return took;
}
