import type pg from 'pg';
import type { GeneratorConfig } from '../options.js';
import type { TimeRange } from '../range.js';

/** What every build step shares: one session (its temp tables live there), the range and the config. */
export interface BuildContext {
  client: pg.PoolClient;
  range: TimeRange;
  config: GeneratorConfig;
  datasetVersion: string;
}

/** Converts an epoch-ms query parameter to timestamptz. */
export const at = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

/**
 * Every label table a step writes (s_labels) has these columns, so the steps
 * after it need not know where the labels came from.
 */
export const LABEL_COLUMNS = 'user_id, item_id, label_time, request_id, context, clicked, converted, dwell_ms, label, sampled_negative';
