import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type UpdaterMetrics = ReturnType<typeof createUpdaterMetrics>;

export function createUpdaterMetrics(metricsRegistry: Registry) {
  return {
    events: new Counter({
      name: 'online_updater_events_total',
      help: 'Messages consumed, by outcome (applied; invalid: not a valid interaction event; future_dated: an event dated past the allowed skew, skipped; erased: an event of an erased user, skipped)',
      labelNames: ['outcome'],
      registers: [metricsRegistry],
    }),
    erasures: new Counter({
      name: 'online_updater_erasures_total',
      help: 'User erasures honoured: rows, history and buffered examples forgotten',
      registers: [metricsRegistry],
    }),
    examples: new Counter({
      name: 'online_updater_examples_total',
      help: 'Labelled examples built from the stream, by use (train, holdout)',
      labelNames: ['use'],
      registers: [metricsRegistry],
    }),
    steps: new Counter({
      name: 'online_updater_train_steps_total',
      help: 'Training steps (updates) applied, by role',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    rowsPublished: new Counter({
      name: 'online_updater_rows_published_total',
      help: 'Embedding rows published to serving, by role',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    peerEntries: new Counter({
      name: 'online_updater_peer_entries_total',
      help: "Entries of the peer log read (followPeers), by outcome: taken in, own, other_lineage (learned on another model), or covered (learning this copy has already)",
      labelNames: ['outcome'],
      registers: [metricsRegistry],
    }),
    publishSeconds: new Histogram({
      name: 'online_updater_publish_seconds',
      help: 'Time to publish one delta to its lineage stream',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [metricsRegistry],
    }),
    lag: new Gauge({
      name: 'online_updater_consumer_lag',
      help: 'Messages between the position and the partition end, per assigned partition',
      labelNames: ['partition'],
      registers: [metricsRegistry],
    }),
    holdoutAuc: new Gauge({
      name: 'online_updater_holdout_auc',
      help: 'Rolling AUC on the held-back slice, by role and model (online, parent)',
      labelNames: ['role', 'model'],
      registers: [metricsRegistry],
    }),
    guardrailTripped: new Gauge({
      name: 'online_updater_guardrail_tripped',
      help: '1 while the online model trails its parent on the holdout by more than the margin: deltas and promotions are held back',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
    snapshots: new Counter({
      name: 'online_updater_snapshots_total',
      help: 'Snapshots registered, by outcome (promoted, held: guardrail tripped, superseded: another version was promoted, failed)',
      labelNames: ['outcome'],
      registers: [metricsRegistry],
    }),
    version: new Gauge({
      name: 'online_updater_model_version',
      help: 'Registry version the updater last snapshotted or started from, by role',
      labelNames: ['role'],
      registers: [metricsRegistry],
    }),
  };
}
