import { describe, expect, it } from 'vitest';
import type { RecModel } from '@recstream/models';
import type { ModelVersion } from '@recstream/registry';
import { ModelEntry } from './served-model.js';

function entry() {
  const disposed = { count: 0 };
  const model = { dispose: () => disposed.count++ } as unknown as RecModel;
  return { entry: new ModelEntry({ role: 'ranking', version: {} as ModelVersion, model }), disposed };
}

describe('ModelEntry', () => {
  it('keeps a retired version alive until the last request holding it releases it', () => {
    const { entry: e, disposed } = entry();
    e.acquire();
    e.acquire();
    e.retire();
    expect(disposed.count).toBe(0);
    e.release();
    expect(disposed.count).toBe(0);
    e.release();
    expect(disposed.count).toBe(1);
  });

  it('disposes an idle version as soon as it is retired, once', () => {
    const { entry: e, disposed } = entry();
    e.acquire();
    e.release();
    expect(disposed.count).toBe(0);
    e.retire();
    expect(disposed.count).toBe(1);
  });
});
