import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

export function createIngestMetrics(metricsRegistry: Registry, bufferedEvents: () => number) {
  return {
    accepted: new Counter({
      name: 'ingest_events_accepted_total',
      help: 'Events acknowledged by Kafka, by topic',
      labelNames: ['topic'],
      registers: [metricsRegistry],
    }),
    rejected: new Counter({
      name: 'ingest_events_rejected_total',
      help: 'Events rejected by validation and sent to the dead-letter topic',
      registers: [metricsRegistry],
    }),
    produceLatency: new Histogram({
      name: 'ingest_produce_latency_seconds',
      help: 'Time from send to acknowledgement from all in-sync replicas',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metricsRegistry],
    }),
    buffered: new Gauge({
      name: 'ingest_buffered_events',
      help: 'Events waiting for Kafka acknowledgement',
      registers: [metricsRegistry],
      collect() {
        this.set(bufferedEvents());
      },
    }),
  };
}
