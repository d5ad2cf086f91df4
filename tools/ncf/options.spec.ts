import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNE_TRIALS, MODEL_DEFAULTS, optionsFor, parseCli, requestedKinds, settingsFor } from './options.js';

const base = ['--data', 'u.data'];

describe('ncf options', () => {
  it('resolves one kind from its defaults and the flags, untuned unless asked', () => {
    const request = parseCli([...base, '--model', 'mf', '--dim', '8']);
    expect(request.tune).toBe(false);
    expect(requestedKinds(request)).toEqual(['mf']);
    expect(optionsFor(request, 'mf')).toMatchObject({ ...MODEL_DEFAULTS.mf, dim: 8, model: 'mf' });
  });

  it('tunes with a trial count, a time budget, or the default trial count', () => {
    expect(parseCli([...base, '--model', 'mf', '--tune'])).toMatchObject({ tune: true, trials: DEFAULT_TUNE_TRIALS });
    expect(parseCli([...base, '--model', 'mf', '--tune', '--trials', '5'])).toMatchObject({ trials: 5, budgetS: undefined });
    expect(parseCli([...base, '--model', 'mf', '--tune', '--budget-s', '60'])).toMatchObject({ trials: undefined, budgetS: 60 });
  });

  it('--model best tunes every kind, each over its own defaults with the flags on top', () => {
    const request = parseCli([...base, '--model', 'best', '--lr', '0.02']);
    expect(request.tune).toBe(true);
    expect(requestedKinds(request)).toEqual(['mf', 'neumf', 'twotower', 'deepfm', 'din', 'dien']);
    expect(optionsFor(request, 'din')).toMatchObject({ ...MODEL_DEFAULTS.din, lr: 0.02, model: 'din' });
  });

  it('refuses budgets without --tune, both budgets at once, and empty ones', () => {
    expect(() => parseCli([...base, '--model', 'mf', '--trials', '3'])).toThrow(/need --tune/);
    expect(() => parseCli([...base, '--model', 'mf', '--tune', '--trials', '3', '--budget-s', '9'])).toThrow(/exclude/);
    expect(() => parseCli([...base, '--model', 'mf', '--tune', '--trials', '0'])).toThrow(/at least 1/);
    expect(() => parseCli([...base, '--model', 'nope'])).toThrow(/usage/);
  });

  it('turns options into tuning settings in the model config names', () => {
    const o = optionsFor(parseCli([...base, '--model', 'neumf']), 'neumf');
    expect(settingsFor(o)).toEqual({
      gmfDim: o.dim,
      mlpDim: o.dim,
      sparseLearningRate: o.lr,
      denseLearningRate: o.denseLr,
      epochs: o.epochs,
      batchSize: o.batch,
      negatives: o.negatives,
      historyLength: o.history,
    });
  });
});
