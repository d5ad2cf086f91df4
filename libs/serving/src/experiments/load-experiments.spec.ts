import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '@recstream/platform';
import { modelPins } from './experiment.js';
import { loadExperiments } from './load-experiments.js';

const row = (variant: string, strategy: unknown, versions: { recall?: string; ranking?: string } = {}) => ({
  experiment_id: `exp-${variant}`,
  surface: 'home',
  variant,
  share: 1,
  recall_version: versions.recall ?? null,
  ranking_version: versions.ranking ?? null,
  strategy,
});
const poolOf = (rows: object[]) => ({ query: async () => ({ rows }) }) as unknown as pg.Pool;
const logger = () => ({ warn: vi.fn() }) as unknown as Logger & { warn: ReturnType<typeof vi.fn> };

describe('loadExperiments', () => {
  it("reads a variant's online setting apart from its re-ranking overrides, following deltas by default", async () => {
    const experiments = await loadExperiments(
      poolOf([row('a', { diversity: 0.5 }), row('b', { online: 'frozen', diversity: 0.2 }, { recall: '3', ranking: '4' })]),
      logger(),
    );
    const [a, b] = experiments.map((e) => e.variants[0]!);
    expect(a).toMatchObject({ strategy: { diversity: 0.5 }, online: 'follow' });
    expect(b).toMatchObject({ strategy: { diversity: 0.2 }, online: 'frozen', recallVersion: 3, rankingVersion: 4 });
    expect(modelPins(b)).toEqual({ recall: 3, ranking: 4, frozen: true });
    expect(modelPins(undefined)).toEqual({ recall: null, ranking: null, frozen: false });
  });

  it('skips, and says how to fix, a frozen variant that does not pin both versions', async () => {
    const log = logger();
    const experiments = await loadExperiments(poolOf([row('c', { online: 'frozen' }, { ranking: '4' }), row('d', { online: 'sometimes' })]), log);
    expect(experiments).toEqual([]);
    const messages = log.warn.mock.calls.map((call) => String(call[1]));
    expect(messages[0]).toMatch(/frozen but does not pin both recall_version and ranking_version/);
    expect(messages[1]).toMatch(/strategy: online/);
  });
});
