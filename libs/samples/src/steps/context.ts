import type pg from 'pg';
import type { GeneratorConfig } from '../options.js';
import type { TimeRange } from '../range.js';

/**
 * What every build step shares: one session (its temp tables live there), the
 * range and the config. Both label steps write s_labels with the same columns
 * (user_id, item_id, label_time, request_id, context, clicked, converted,
 * dwell_ms, label, sampled_negative), so later steps need not know the source.
 */
export interface BuildContext {
  client: pg.PoolClient;
  range: TimeRange;
  config: GeneratorConfig;
  datasetVersion: string;
}

/** Converts an epoch-ms query parameter to timestamptz. */
export const at = (param: string) => `to_timestamp(${param}::float8 / 1000)`;
