import { describe, expect, it } from 'vitest';
import { sumByMetric } from './prometheus-text.js';

describe('sumByMetric', () => {
  it('sums the samples of each metric across label sets and skips comments', () => {
    const text = [
      '# HELP ingest_events_accepted_total Events acknowledged by Kafka, by topic',
      '# TYPE ingest_events_accepted_total counter',
      'ingest_events_accepted_total{topic="events",app="ingester"} 120',
      'ingest_events_accepted_total{topic="items",app="ingester"} 5',
      'ingest_buffered_events 3',
      '',
    ].join('\n');
    expect(sumByMetric(text)).toEqual(new Map([['ingest_events_accepted_total', 125], ['ingest_buffered_events', 3]]));
  });

  it('reads label values holding braces, spaces and escaped quotes, and trailing timestamps', () => {
    const text = 'requests_total{path="/a b}",note="say \\"hi\\"}"} 2 1700000000000\nrequests_total 1.5e1';
    expect(sumByMetric(text).get('requests_total')).toBe(17);
  });

  it('keeps histogram parts apart and ignores non-finite and malformed samples', () => {
    const text = 'lat_bucket{le="+Inf"} 4\nlat_sum 0.5\nlat_count 4\nweird NaN\nbroken{le="1" 3\n{no_name="x"} 1';
    expect(sumByMetric(text)).toEqual(new Map([['lat_bucket', 4], ['lat_sum', 0.5], ['lat_count', 4]]));
  });
});
