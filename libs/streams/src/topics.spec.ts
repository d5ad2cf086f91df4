import type { Admin, ITopicConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from './topics.js';

/** An admin that knows `existing` topics and `brokers` brokers, and records what it is asked to create. */
function fakeAdmin(brokers: number, existing: string[] = []) {
  const created: ITopicConfig[] = [];
  const admin = {
    listTopics: async () => existing,
    describeCluster: async () => ({ brokers: Array.from({ length: brokers }, (_, i) => ({ nodeId: i + 1, host: 'h', port: 1 })), controller: 1, clusterId: 'c' }),
    createTopics: async ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(...topics);
      return true;
    },
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({ topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })) }),
  };
  return { admin: admin as unknown as Admin, created };
}

const spec = (name: string) => ({ name, partitions: 2, retentionMs: 60_000, description: '' });
const replicationOf = (topic: ITopicConfig) => [topic.replicationFactor, topic.configEntries?.find((e) => e.name === 'min.insync.replicas')?.value];

describe('ensureTopics', () => {
  it('replicates 3 ways with 2 in sync on 3 brokers and keeps one copy on one', async () => {
    const three = fakeAdmin(3);
    await ensureTopics(three.admin, [spec('a')]);
    expect(replicationOf(three.created[0]!)).toEqual([3, '2']);
    const one = fakeAdmin(1);
    await ensureTopics(one.admin, [spec('a')]);
    expect(replicationOf(one.created[0]!)).toEqual([1, '1']);
  });

  it('takes the replication it is given over the cluster size, and creates only missing topics', async () => {
    const { admin, created } = fakeAdmin(5, ['a']);
    expect(await ensureTopics(admin, [spec('a'), spec('b')], { replicationFactor: 2, minInsyncReplicas: 2 })).toEqual(['b']);
    expect(created.map((topic) => [topic.topic, ...replicationOf(topic)])).toEqual([['b', 2, '2']]);
  });

  it('refuses min.insync.replicas above the replication factor, which would refuse every acks=all write', async () => {
    const { admin, created } = fakeAdmin(3);
    await expect(ensureTopics(admin, [spec('a')], { replicationFactor: 1, minInsyncReplicas: 2 })).rejects.toThrow(/exceeds the replication factor/);
    expect(created).toEqual([]);
  });
});
