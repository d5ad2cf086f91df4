import { Registry, collectDefaultMetrics } from 'prom-client';

/** A registry with the process metrics every app reports, labelled by app. */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  // Event-loop delay sampled every 100 ms, not prom-client's 10: the faster timer keeps an idle process awake, and a
  // lag histogram needs no finer sampling (docs/decisions/kafka-client-cpu.md).
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return registry;
}
