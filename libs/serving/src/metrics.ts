import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type ServingMetrics = ReturnType<typeof createServingMetrics>;

/** Request stages timed per request (see Recommender). */
export const STAGES = ['features', 'recall', 'ranking', 'rerank', 'total'] as const;
export type Stage = (typeof STAGES)[number];

export function createServingMetrics(metricsRegistry: Registry) {
  return {
    stage: new Histogram({
      name: 'serving_stage_seconds',
      help: 'Time spent per request stage',
      labelNames: ['stage'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 1],
      registers: [metricsRegistry],
    }),
    requests: new Counter({
      name: 'serving_requests_total',
      help: 'Recommendation requests by outcome (ok, degraded, bad_request)',
      labelNames: ['outcome'],
      registers: [metricsRegistry],
    }),
    degraded: new Counter({
      name: 'serving_degraded_total',
      help: 'Degraded responses by the dependency that was missing',
      labelNames: ['reason'],
      registers: [metricsRegistry],
    }),
    exposuresDropped: new Counter({
      name: 'serving_exposures_dropped_total',
      help: 'Exposure events not delivered to Kafka (buffer full or produce failed)',
      registers: [metricsRegistry],
    }),
    modelVersion: new Gauge({
      name: 'serving_model_version',
      help: 'Production model version served, by role',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    modelLoads: new Counter({
      name: 'serving_model_loads_total',
      help: 'Model version loads by role and outcome',
      labelNames: ['role', 'outcome'],
      registers: [metricsRegistry],
    }),
    deltas: new Counter({
      name: 'serving_model_deltas_total',
      help: 'Online updater deltas applied to production models, by role and outcome',
      labelNames: ['role', 'outcome'],
      registers: [metricsRegistry],
    }),
    deltaRows: new Counter({
      name: 'serving_model_delta_rows_total',
      help: 'Embedding rows overwritten by online updater deltas, by role',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    deltaDelay: new Histogram({
      name: 'serving_model_delta_delay_seconds',
      help: 'From the online updater publishing a delta to serving applying it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metricsRegistry],
    }),
  };
}

/** Candidate feature rows by where they came from, read from the reader's own counts at each scrape. */
export function registerItemRowsMetric(metricsRegistry: Registry, reads: { readonly kept: number; readonly redis: number }): void {
  new Counter({
    name: 'serving_item_rows_total',
    help: 'Candidate item feature rows by source: process (kept until Redis reported a change) or redis (read)',
    labelNames: ['source'],
    registers: [metricsRegistry],
    collect() {
      this.reset();
      this.inc({ source: 'process' }, reads.kept);
      this.inc({ source: 'redis' }, reads.redis);
    },
  });
}
