import { describe, expect, it } from 'vitest';
import type { SearchSpace, Settings } from './search-space.js';
import { trialTable, tune, type TrialRecord, type TrialRunner } from './study.js';

const SPACE: SearchSpace = { params: { rate: { type: 'log', low: 0.01, high: 1 }, width: { type: 'int', low: 1, high: 4 } }, maxEpochs: 20 };

/** A stand-in model: quality peaks at rate 0.1, rises until `peak` epochs, then slowly declines (overfitting). */
function fakeRunner(settings: Settings, peak = 4, onEpoch?: () => void): TrialRunner & { disposed: boolean } {
  const quality = 1 - Math.abs(Math.log10(settings.rate!) + 1) / 2;
  let epochs = 0;
  return {
    disposed: false,
    async epoch() {
      epochs++;
      onEpoch?.();
      const score = quality * (Math.min(epochs, peak) / peak) - 0.01 * Math.max(0, epochs - peak);
      return { score, secondary: score / 2 };
    },
    dispose() {
      this.disposed = true;
    },
  };
}

const withoutSeconds = (trials: TrialRecord[]) => trials.map(({ seconds: _seconds, ...rest }) => rest);

describe('tune', () => {
  it('runs the base settings first and picks a clearly better trial, with the epochs it peaked at', async () => {
    const runners: ReturnType<typeof fakeRunner>[] = [];
    const result = await tune(SPACE, { rate: 1, width: 1, epochs: 3, fixed: 9 }, (settings) => {
      runners.push(fakeRunner(settings));
      return runners.at(-1)!;
    }, { trials: 12, seed: 5 });
    expect(result.trials).toHaveLength(12);
    expect(result.trials[0]!.settings).toEqual({ rate: 1, width: 1, fixed: 9 });
    expect(result.trials[0]!.score).toBeCloseTo(0.5);
    expect(result.best.score).toBeGreaterThan(0.8);
    expect(result.chosen).toEqual({ ...result.best.settings, epochs: 4 });
    expect(result.trials.every((t) => t.settings.fixed === 9)).toBe(true);
    expect(runners.every((r) => r.disposed)).toBe(true);
  });

  it('stops a trial `patience` epochs after its best and prunes others at rungs', async () => {
    const result = await tune(SPACE, { rate: 0.1, width: 1 }, (settings) => fakeRunner(settings), { trials: 15, seed: 2, patience: 3, minEpochs: 2, reductionFactor: 3 });
    const base = result.trials[0]!;
    expect(base).toMatchObject({ outcome: 'early-stopped', bestEpochs: 4, epochs: 7 });
    const pruned = result.trials.filter((t) => t.outcome === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const t of pruned) expect([2, 6, 18]).toContain(t.epochs);
    expect(result.best.trial).toBe(0);
  });

  it('trains the base for its own epochs before patience, pruning or the budget may end it, and never chooses worse', async () => {
    // The base's validation curve dips for longer than the patience before it peaks at its own epoch count; other trials stay below the peak.
    const curve = [0.2, 0.5, 0.4, 0.4, 0.4, 0.45, 0.5, 0.6, 0.55, 0.5, 0.5, 0.5];
    let now = 0;
    const start = (_settings: Settings, trial: number): TrialRunner => {
      let epochs = 0;
      return {
        epoch: async () => {
          now += 1000;
          const score = trial === 0 ? curve[epochs++]! : 0.55;
          return { score, secondary: score };
        },
        dispose: () => {},
      };
    };
    const base = { rate: 1, width: 1, epochs: 8 };
    const result = await tune(SPACE, base, start, { trials: 12, seed: 5, patience: 3, minEpochs: 2, reductionFactor: 3 });
    expect(result.trials).toHaveLength(12);
    expect(result.trials[0]).toMatchObject({ outcome: 'early-stopped', bestEpochs: 8, epochs: 11, score: 0.6 });
    expect(result.baseline).toEqual({ score: 0.6, secondary: 0.6 });
    expect(result.best.trial).toBe(0);
    expect(result.chosen).toEqual(base);

    // A budget spent by epoch 5 cuts the base only once its epochs are done, and starts no other trial.
    now = 0;
    const budgeted = await tune(SPACE, base, start, { trials: 12, seed: 5, patience: 3, budgetS: 5, clock: () => now });
    expect(budgeted.trials).toHaveLength(1);
    expect(budgeted.trials[0]).toMatchObject({ outcome: 'cut', bestEpochs: 8, epochs: 8 });
    expect(budgeted.chosen).toEqual(base);
  });

  it('repeats its trials under one seed and draws others under another', async () => {
    const run = (seed: number) => tune(SPACE, { rate: 1, width: 1 }, (settings) => fakeRunner(settings), { trials: 6, seed });
    const first = await run(8);
    expect(withoutSeconds((await run(8)).trials)).toEqual(withoutSeconds(first.trials));
    expect((await run(9)).trials.map((t) => t.settings)).not.toEqual(first.trials.map((t) => t.settings));
  });

  it('starts no trial past its time budget and cuts the one running', async () => {
    let now = 0;
    const result = await tune(SPACE, { rate: 0.1, width: 1 }, (settings) => fakeRunner(settings, 50, () => (now += 1000)), {
      trials: 100,
      budgetS: 10,
      patience: 100,
      clock: () => now,
    });
    // The base trial improves every epoch, so only the budget ends it.
    expect(result.trials).toHaveLength(1);
    expect(result.trials[0]).toMatchObject({ outcome: 'cut', epochs: 10, bestEpochs: 10 });
    expect(result.seconds).toBe(10);
  });

  it('tables every trial, best first', async () => {
    const result = await tune(SPACE, { rate: 1, width: 1 }, (settings) => fakeRunner(settings), { trials: 4, seed: 3 });
    const table = trialTable(result, 'HR@10', 'NDCG@10');
    expect(table[0]).toContain('| trial | HR@10 | NDCG@10 |');
    expect(table[0]).toContain('| rate | width |');
    expect(table).toHaveLength(2 + 4);
    expect(table[2]!.startsWith(`| ${result.best.trial} | ${result.best.score.toFixed(4)}`)).toBe(true);
  });

  it('refuses zero trials', async () => {
    await expect(tune(SPACE, {}, (settings) => fakeRunner(settings), { trials: 0 })).rejects.toThrow(RangeError);
  });
});
