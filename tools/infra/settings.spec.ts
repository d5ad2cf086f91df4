import { describe, expect, it } from 'vitest';
import { infraSettings } from './settings.js';

describe('infraSettings', () => {
  it('points KAFKA_BROKERS at the first local node, which KAFKA_PORT moves', () => {
    expect(infraSettings({}).KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(infraSettings({ KAFKA_PORT: '19092', KAFKA_NODES: '3' })).toMatchObject({ KAFKA_BROKERS: '127.0.0.1:19092', KAFKA_NODES: 3, userProvided: { kafka: false } });
    expect(infraSettings({ KAFKA_BROKERS: 'k:1', KAFKA_PORT: '19092' })).toMatchObject({ KAFKA_BROKERS: 'k:1', userProvided: { kafka: true } });
  });

  it("leaves replication to the cluster's size unless it is set", () => {
    const unset = infraSettings({});
    expect([unset.KAFKA_REPLICATION_FACTOR, unset.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([undefined, undefined]);
    const set = infraSettings({ KAFKA_REPLICATION_FACTOR: '2' });
    expect([set.KAFKA_REPLICATION_FACTOR, set.KAFKA_MIN_INSYNC_REPLICAS]).toEqual([2, undefined]);
    expect(() => infraSettings({ KAFKA_MIN_INSYNC_REPLICAS: '0' })).toThrow(/KAFKA_MIN_INSYNC_REPLICAS/);
  });

  it('starts a plain Redis by default and a cluster of 3+ masters only when asked', () => {
    expect(infraSettings({})).toMatchObject({ REDIS_NODES: 1, REDIS_CLUSTER_PORT: 7001 });
    expect(infraSettings({ REDIS_NODES: '3' }).REDIS_NODES).toBe(3);
    expect(() => infraSettings({ REDIS_NODES: '2' })).toThrow(/REDIS_NODES/);
  });
});
