import { describe, expect, it } from 'vitest';
import { DEFAULT_AUTHENTICATOR_OPTIONS } from '@recstream/auth';
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

  it('produces with the default client unless PRODUCER_CLIENT names one it has, and names the variable to fix', () => {
    expect(ingesterConfig({}).options.producerClient).toBe(D.producerClient);
    expect(ingesterConfig({ PRODUCER_CLIENT: 'kafkajs' }).options.producerClient).toBe('kafkajs');
    expect(() => ingesterConfig({ PRODUCER_CLIENT: 'rdkafka' })).toThrow(/PRODUCER_CLIENT/);
  });

  it("produces to the platform's topics unless told other names", () => {
    expect(ingesterConfig({}).options.topics).toEqual(D.topics);
    expect(ingesterConfig({ EVENTS_TOPIC: 'staging.events', DEAD_LETTER_TOPIC: 'staging.dlq' }).options.topics).toEqual({ ...D.topics, events: 'staging.events', deadLetter: 'staging.dlq' });
  });

  it("reads the API-key authenticator's cache and failed-authentication limits, defaulting to the lib's", () => {
    expect(ingesterConfig({}).authenticator).toMatchObject({ cacheMaxKeys: DEFAULT_AUTHENTICATOR_OPTIONS.cacheMaxKeys, failedAuthLimit: DEFAULT_AUTHENTICATOR_OPTIONS.failedAuthLimit });
    expect(ingesterConfig({ AUTH_CACHE_MAX_KEYS: '500', AUTH_UNKNOWN_KEY_TTL_MS: '0', AUTH_FAILED_LIMIT: '5', AUTH_FAILED_WINDOW_MS: '1000' }).authenticator).toEqual({
      cacheMaxKeys: 500,
      unknownKeyTtlMs: 0,
      failedAuthLimit: 5,
      failedAuthWindowMs: 1_000,
    });
    expect(() => ingesterConfig({ AUTH_CACHE_MAX_KEYS: '0' })).toThrow(/AUTH_CACHE_MAX_KEYS/);
  });
});
