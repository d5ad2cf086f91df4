import { describe, expect, it } from 'vitest';
import { newClusterId, serverProperties } from './local-broker.js';
import { LocalKafkaCluster } from './local-cluster.js';
import { defaultReplication } from './topics.js';

describe('newClusterId', () => {
  it('never begins with "-", which StorageTool would read as an option, and is 22 base64url characters', () => {
    const ids = Array.from({ length: 2000 }, newClusterId);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('serverProperties', () => {
  const properties = (text: string) => Object.fromEntries(text.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));

  it('makes a lone node its own quorum with one copy of everything', () => {
    const p = properties(serverProperties(9092, '/d'));
    expect(p).toMatchObject({ 'node.id': '1', 'controller.quorum.voters': '1@127.0.0.1:9093', 'offsets.topic.replication.factor': '1', 'min.insync.replicas': '1' });
  });

  it('gives a node of a 3-node cluster the whole quorum and internal topics that survive one loss', () => {
    const quorumVoters = ['1@127.0.0.1:9093', '2@127.0.0.1:9095', '3@127.0.0.1:9097'];
    const p = properties(serverProperties(9094, '/d', { nodeId: 2, quorumVoters, clusterId: 'x' }));
    expect(p).toMatchObject({
      'node.id': '2',
      'controller.quorum.voters': quorumVoters.join(','),
      listeners: 'PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095',
      'offsets.topic.replication.factor': '3',
      'transaction.state.log.min.isr': '2',
      'min.insync.replicas': '2',
      'default.replication.factor': '3',
    });
  });
});

describe('LocalKafkaCluster', () => {
  it('puts node 1 on the given port and each next node two ports up, all in one quorum', () => {
    const cluster = new LocalKafkaCluster({ libsDir: '/l', dataDir: '/d', nodes: 3, port: 9092, heap: '256m' });
    expect(cluster.addresses).toEqual(['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096']);
    expect(cluster.broker(3).logFile).toBe('/d/node-3/server.log');
    expect(() => cluster.broker(4)).toThrow(/no node 4/);
  });
});

describe('defaultReplication', () => {
  it('replicates 3 ways with 2 in sync from 3 brokers up, and keeps one copy below', () => {
    expect([1, 2, 3, 5].map(defaultReplication)).toEqual([
      { replicationFactor: 1, minInsyncReplicas: 1 },
      { replicationFactor: 1, minInsyncReplicas: 1 },
      { replicationFactor: 3, minInsyncReplicas: 2 },
      { replicationFactor: 3, minInsyncReplicas: 2 },
    ]);
  });
});
