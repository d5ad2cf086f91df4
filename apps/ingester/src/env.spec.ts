import { describe, expect, it } from 'vitest';
import { DEFAULT_INGESTER_OPTIONS as D } from '@recstream/ingest';
import { ingesterConfig } from './env.js';

describe('ingester environment', () => {
  it("defaults to the lib's defaults and one process", () => {
    const config = ingesterConfig({});
    expect(config.workers).toBe(1);
    expect(config.options).toMatchObject({ port: D.port, maxBatchEvents: D.maxBatchEvents, maxBufferedEvents: D.maxBufferedEvents });
  });

  it('reads the number of worker processes, and names the variable to fix', () => {
    expect(ingesterConfig({ WORKERS: '2' }).workers).toBe(2);
    expect(() => ingesterConfig({ WORKERS: 'two' })).toThrow(/WORKERS/);
  });

  it("produces to the platform's topics unless told other names", () => {
    expect(ingesterConfig({}).options.topics).toEqual(D.topics);
    expect(ingesterConfig({ EVENTS_TOPIC: 'staging.events', DEAD_LETTER_TOPIC: 'staging.dlq' }).options.topics).toEqual({ ...D.topics, events: 'staging.events', deadLetter: 'staging.dlq' });
  });
});
