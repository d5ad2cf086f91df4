import { expect, it } from 'vitest';
import { trainerConfig } from './env.js';

it('reads TRAINER_BACKEND, one of the tfjs backends and unset by default, and names it when wrong', () => {
  expect(trainerConfig({}).backend).toBeUndefined();
  expect(trainerConfig({ TRAINER_BACKEND: 'tensorflow-gpu' }).backend).toBe('tensorflow-gpu');
  expect(() => trainerConfig({ TRAINER_BACKEND: 'gpu' })).toThrow(/TRAINER_BACKEND/);
});

it('picks a hash-tagged BullMQ prefix and the cluster when REDIS_CLUSTER_NODES is set, and refuses an untagged one there', () => {
  expect(trainerConfig({}).worker.prefix).toBe('bull');
  const clustered = trainerConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379,10.0.0.2:6379' });
  expect(clustered.worker.prefix).toBe('{recstream}');
  expect(clustered.redisClusterNodes).toBe('10.0.0.1:6379,10.0.0.2:6379');
  expect(trainerConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', BULLMQ_PREFIX: '{jobs}' }).worker.prefix).toBe('{jobs}');
  expect(() => trainerConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:6379', BULLMQ_PREFIX: 'jobs' })).toThrow(/hash tag/);
});
