import { describe, expect, it } from 'vitest';
import { MetricsTargetList, counterRates, counterWarnings } from './metrics-scraper.js';

const reading = (time: number, entries: [string, number][]) => ({ time, sums: new Map(entries) });

describe('counterRates', () => {
  it('gives the per-second increase of each throughput counter the target exposes', () => {
    const rates = counterRates(
      reading(10_000, [['ingest_events_accepted_total', 100], ['process_cpu_seconds_total', 3]]),
      reading(12_000, [['ingest_events_accepted_total', 500], ['process_cpu_seconds_total', 4]]),
    );
    expect(rates).toEqual({ ingest_events_accepted_total: 200 });
  });

  it('counts a counter that first appears from zero, and one that went down (a restart) from its new value', () => {
    const rates = counterRates(
      reading(0, [['feature_builder_events_total', 9_000]]),
      reading(4_000, [['feature_builder_events_total', 40], ['serving_requests_total', 8]]),
    );
    expect(rates).toEqual({ feature_builder_events_total: 10, serving_requests_total: 2 });
  });

  it("counts the online updater's consumed messages as its throughput, so pipeline health shows it", () => {
    const rates = counterRates(reading(0, [['online_updater_events_total', 100]]), reading(2_000, [['online_updater_events_total', 700]]));
    expect(rates).toEqual({ online_updater_events_total: 300 });
  });

  it('gives no rates when no time has passed', () => {
    expect(counterRates(reading(5, [['serving_requests_total', 1]]), reading(5, [['serving_requests_total', 2]]))).toEqual({});
  });
});

describe('MetricsTargetList', () => {
  it('reads name=url pairs, ignoring blanks and spaces', () => {
    expect(MetricsTargetList.parse(' ingester=http://ingester:8080/metrics , ,serving=https://s.example/metrics')).toEqual([
      { name: 'ingester', url: 'http://ingester:8080/metrics' },
      { name: 'serving', url: 'https://s.example/metrics' },
    ]);
    expect(MetricsTargetList.parse('')).toEqual([]);
  });

  it('names each bad entry', () => {
    const result = MetricsTargetList.safeParse('http://no-name/metrics,db=postgres://x,a=http://a/metrics,a=http://b/metrics');
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message)).toEqual([
      "'http://no-name/metrics' must be name=http(s)://host:port/metrics",
      "'db=postgres://x' must be name=http(s)://host:port/metrics",
      "target name 'a' appears twice",
    ]);
  });
});

describe('counterWarnings', () => {
  it('reports late events the feature builder left out, and nothing while the counter is zero or absent', () => {
    expect(counterWarnings(reading(0, [['feature_builder_late_events_total', 1_229], ['feature_builder_events_total', 5]]))).toEqual({ feature_builder_late_events_total: 1_229 });
    expect(counterWarnings(reading(0, [['feature_builder_late_events_total', 0]]))).toEqual({});
    expect(counterWarnings(reading(0, [['feature_builder_events_total', 5]]))).toEqual({});
  });
});
