import { createHash } from 'node:crypto';
import { NonRetriableError } from '@recstream/platform';
import type { GeneratorConfig } from './options.js';

/** A half-open range of label (event) times, [from, to), in epoch ms. */
export interface TimeRange {
  from: number;
  to: number;
}

export function checkRange(range: TimeRange): TimeRange {
  if (!Number.isFinite(range.from) || !Number.isFinite(range.to) || range.from >= range.to) {
    throw new NonRetriableError(`invalid time range ${JSON.stringify(range)}: give from < to as ISO-8601 times or epoch ms`);
  }
  return range;
}

const compact = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '').toLowerCase();

/** Names runs over the range, whatever the config: the lock and the queue job id. */
export const rangeKey = (range: TimeRange) => `${compact(range.from)}_${compact(range.to)}`;

/**
 * A dataset version is named by its range and a digest of its config, so
 * rebuilding the same range with the same settings (a retried job) finds the
 * version it already made instead of making another.
 */
export function datasetVersionFor(range: TimeRange, config: GeneratorConfig): string {
  const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  return `ds_${rangeKey(range)}_${digest}`;
}

export interface ScheduleWindow {
  /** How much history each scheduled run covers. */
  lookbackMs: number;
  /** Range ends are rounded down to a multiple of this, so runs line up. */
  alignMs: number;
  /** Labels younger than this may still gain outcomes; the range ends before them. */
  attributionWindowMs: number;
}

/** The latest complete range as of `now`: outcomes of every exposure in it have had their attribution window. */
export function scheduledRange(now: number, window: ScheduleWindow): TimeRange {
  const to = Math.floor((now - window.attributionWindowMs) / window.alignMs) * window.alignMs;
  return { from: to - window.lookbackMs, to };
}

/**
 * Where a dataset's time splits end (epoch ms): labels before `trainEnd` train,
 * before `validationEnd` validate, the rest test. Leave-latest-out cuts
 * nothing by time: both ends lie at the range's end.
 */
export function splitCuts(range: TimeRange, config: Pick<GeneratorConfig, 'splitStrategy' | 'trainFraction' | 'validationFraction'>): { trainEnd: number; validationEnd: number } {
  if (config.splitStrategy !== 'time') return { trainEnd: range.to, validationEnd: range.to };
  const span = range.to - range.from;
  const trainEnd = range.from + span * config.trainFraction;
  return { trainEnd, validationEnd: trainEnd + span * config.validationFraction };
}
