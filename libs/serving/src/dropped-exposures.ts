import type pg from 'pg';
import type { Logger } from '@recstream/platform';
import type { DroppedVariant } from './exposure-log.js';

export interface DroppedExposureRecorderOptions {
  /** How often the counts gathered since the last write are added to `experiment_exposures_dropped`. */
  intervalMs: number;
}

export const DEFAULT_DROPPED_EXPOSURE_RECORDER_OPTIONS: DroppedExposureRecorderOptions = { intervalMs: 10_000 };

/**
 * Makes lost exposures visible where an experiment is read: the exposures of
 * experiment variants that ExposureLog could not deliver are added up in
 * process and written to `experiment_exposures_dropped` every `intervalMs`
 * (and on close), which the console's experiment read-out joins. A failed
 * write keeps its counts for the next one. Serving's responses never wait
 * for it.
 */
export class DroppedExposureRecorder {
  private readonly options: DroppedExposureRecorderOptions;
  private counts = new Map<string, DroppedVariant>();
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
    options: Partial<DroppedExposureRecorderOptions> = {},
  ) {
    this.options = { ...DEFAULT_DROPPED_EXPOSURE_RECORDER_OPTIONS, ...options };
  }

  add(variants: readonly DroppedVariant[]): void {
    for (const { experiment, variant, count } of variants) {
      const key = JSON.stringify([experiment, variant]);
      const entry = this.counts.get(key);
      if (entry) entry.count += count;
      else this.counts.set(key, { experiment, variant, count });
    }
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Adds the counts gathered so far to the table; one write at a time. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.counts.size === 0) return;
    const batch = [...this.counts.values()];
    this.counts = new Map();
    this.writing = this.pool
      .query(
        `INSERT INTO experiment_exposures_dropped (experiment, variant, dropped)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (experiment, variant) DO UPDATE
           SET dropped = experiment_exposures_dropped.dropped + excluded.dropped, last_dropped_at = now()`,
        [batch.map((v) => v.experiment), batch.map((v) => v.variant), batch.map((v) => v.count)],
      )
      .then(
        () => undefined,
        (error: unknown) => {
          this.add(batch);
          this.logger.warn({ err: error }, 'could not record dropped exposure counts; retrying at the next interval');
        },
      )
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  /** Stops the timer and writes what is left (call after the exposure log has closed). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
