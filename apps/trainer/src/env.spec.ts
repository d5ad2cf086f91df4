import { expect, it } from 'vitest';
import { trainerConfig } from './env.js';

it('reads TRAINER_BACKEND, one of the tfjs backends and unset by default, and names it when wrong', () => {
  expect(trainerConfig({}).backend).toBeUndefined();
  expect(trainerConfig({ TRAINER_BACKEND: 'tensorflow-gpu' }).backend).toBe('tensorflow-gpu');
  expect(() => trainerConfig({ TRAINER_BACKEND: 'gpu' })).toThrow(/TRAINER_BACKEND/);
});
