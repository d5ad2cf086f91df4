import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type BuilderMetrics = ReturnType<typeof createBuilderMetrics>;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createBuilderMetrics(metricsRegistry: Registry) {
  return {
    events: new Counter({
      name: 'feature_builder_events_total',
      help: 'Messages consumed, by topic and outcome (applied, invalid, replayed: already applied before a restart or rebalance)',
      labelNames: ['topic', 'outcome'],
      registers: [metricsRegistry],
    }),
    arrivals: new Counter({
      name: 'feature_builder_event_arrivals_total',
      help: 'Interactions by arrival against stream time: in_order, out_of_order (counted), late (past the allowed lateness, not counted)',
      labelNames: ['arrival'],
      registers: [metricsRegistry],
    }),
    lateEvents: new Counter({
      name: 'feature_builder_late_events_total',
      help: 'Interactions left out of nearline features as late (older than stream time minus the allowed lateness), per partition; history belongs to npm run backfill',
      labelNames: ['topic', 'partition'],
      registers: [metricsRegistry],
    }),
    writeLatency: new Histogram({
      name: 'feature_builder_write_latency_seconds',
      help: 'Time to write one batch, by store',
      labelNames: ['store'],
      buckets: LATENCY_BUCKETS,
      registers: [metricsRegistry],
    }),
    freshness: new Histogram({
      name: 'feature_builder_freshness_seconds',
      help: 'From event time to the features being visible in Redis',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [metricsRegistry],
    }),
    retries: new Counter({
      name: 'feature_builder_batch_retries_total',
      help: 'Batches recomputed because another consumer moved the watermark or the write token of an entity first',
      labelNames: ['reason'],
      registers: [metricsRegistry],
    }),
    lag: new Gauge({
      name: 'feature_builder_consumer_lag',
      help: 'Messages between the committed position and the partition end, per assigned partition',
      labelNames: ['topic', 'partition'],
      registers: [metricsRegistry],
    }),
  };
}
