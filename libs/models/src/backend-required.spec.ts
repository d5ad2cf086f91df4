import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { NonRetriableError, type Logger } from '@recstream/platform';
import { selectBackend } from './backend.js';

// Its own file: selection is once per process, and these specs need a process that has not selected yet.
const logged: { level: string; fields: unknown }[] = [];
const logger = { info: (fields: unknown) => logged.push({ level: 'info', fields }), warn: (fields: unknown) => logged.push({ level: 'warn', fields }) } as unknown as Logger;

it('fails loudly, saying what to install, when the required backend cannot start', async () => {
  const selection = selectBackend({ required: 'tensorflow-gpu', logger });
  await expect(selection).rejects.toThrow(NonRetriableError);
  await expect(selection).rejects.toThrow(/tfjs backend tensorflow-gpu is required but did not start \(.+\); install @tensorflow\/tfjs-node-gpu/);
  expect(logged).toEqual([]);
});

it('selects the required backend when it starts, logged as a choice rather than a fallback', async () => {
  expect(await selectBackend({ required: 'wasm', logger })).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(logged).toMatchObject([{ level: 'info', fields: { backend: 'wasm', skipped: [] } }]);
});

it('refuses to require another backend once one is selected', async () => {
  await expect(selectBackend({ required: 'cpu' })).rejects.toThrow(/cpu is required, but this process already runs on wasm/);
  expect(await selectBackend()).toBe('wasm');
});
