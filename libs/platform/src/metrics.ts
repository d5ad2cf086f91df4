import { Registry, collectDefaultMetrics } from 'prom-client';

/** A registry with the process metrics every app reports, labelled by app. */
export function createRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
