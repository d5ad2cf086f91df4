import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Logger } from '@recstream/platform';
import { assertKernels, MissingKernelError, selectBackend, type BackendName } from './backend.js';
import type { Batch, FeatureSpec } from './batch.js';
import { createModel } from './models/factory.js';
import type { TfModel } from './models/tf-model.js';
import type { CommonConfig, ModelKind } from './model.js';

describe('selectBackend', () => {
  it('falls through tfjs-node-gpu and tfjs-node when they are not installed, and warns why', async () => {
    let report: { chosen: BackendName; skipped: string[] } | undefined;
    const logged: { level: string; fields: unknown }[] = [];
    const logger = { info: (fields: unknown) => logged.push({ level: 'info', fields }), warn: (fields: unknown) => logged.push({ level: 'warn', fields }) } as unknown as Logger;
    const chosen = await selectBackend({
      logger,
      onSelect: (name, skipped) => (report = { chosen: name, skipped: skipped.map((s) => s.name) }),
    });
    expect(logged).toMatchObject([{ level: 'warn', fields: { backend: 'wasm' } }]);
    expect(chosen).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report).toEqual({ chosen: 'wasm', skipped: ['tensorflow-gpu', 'tensorflow'] });
  });
});

describe('assertKernels', () => {
  it('names the kernels the active backend lacks', () => {
    expect(() => assertKernels(['MatMul', 'NoSuchKernel'], 'test')).toThrow(MissingKernelError);
    try {
      assertKernels(['BatchMatMul', 'NoSuchKernel'], 'test');
    } catch (error) {
      expect((error as MissingKernelError).kernels).toEqual(['NoSuchKernel']);
      expect((error as MissingKernelError).retriable).toBe(false);
    }
  });
});

const spec: FeatureSpec = { contextFields: ['device'], historyLength: 3 };
const batch: Batch = {
  size: 4,
  userIds: Int32Array.of(1, 2, 1, 3),
  itemIds: Int32Array.of(5, 6, 7, 5),
  labels: Float32Array.of(1, 0, 0, 1),
  context: [Int32Array.of(0, 1, 1, 0)],
  history: Int32Array.of(-1, 6, 7, 5, 6, 7, -1, -1, -1, 7, 6, 5),
};

describe.each(['neumf', 'twotower', 'deepfm', 'din', 'dien'] as ModelKind[])('%s kernel declaration', (kind) => {
  it('covers every kernel a train step and a score run, so the backend check is complete', async () => {
    await selectBackend();
    const model = createModel(kind, spec) as TfModel<CommonConfig>;
    const profile = await tf.profile(() => {
      model.trainStep(batch);
      model.score(batch);
    });
    expect(profile.kernelNames.length).toBeGreaterThan(5);
    // Names ending in __op are tfjs custom-gradient ops, not kernels.
    const kernels = profile.kernelNames.filter((name) => !name.endsWith('__op'));
    expect(kernels.filter((name) => !model.kernels.includes(name))).toEqual([]);
    model.dispose();
  });
});
