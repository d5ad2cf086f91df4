import { describe, expect, it } from 'vitest';
import type { SearchSpace } from './search-space.js';
import { SuccessiveHalving, type TrialReport, type TrialRequest } from './successive-halving.js';

const SPACE: SearchSpace = { params: { rate: { type: 'log', low: 0.01, high: 1 } }, maxEpochs: 18 };
const BASE = { rate: 1, epochs: 5 };

/** A stand-in trial: quality peaks at rate 0.1 and grows with epochs. */
function train(request: TrialRequest, outcome: TrialReport['outcome'] = 'completed'): TrialReport {
  const score = (1 - Math.abs(Math.log10(request.settings.rate!) + 1) / 2) * (1 - 1 / (1 + request.epochs));
  return { trial: request.trial, rung: request.rung, score, secondary: 0, bestEpochs: request.epochs, epochs: request.epochs, outcome, seconds: 1 };
}

/** Drives a search to its end, answering each step's requests with `answer` in the order `order` gives. */
function drive(halving: SuccessiveHalving, order: (pending: TrialRequest[]) => TrialRequest[] = (p) => p, answer = (r: TrialRequest) => train(r)) {
  const reports: TrialReport[] = [];
  const steps: TrialRequest[][] = [];
  for (;;) {
    const step = halving.step(reports);
    if ('result' in step) return { result: step.result, steps };
    steps.push(step.pending);
    reports.push(...order(step.pending).map(answer));
  }
}

describe('SuccessiveHalving', () => {
  it('trains every trial for minEpochs and promotes the best 1/eta of each rung up to maxEpochs, and the base up to its epochs', () => {
    const halving = new SuccessiveHalving(SPACE, BASE, { trials: 9, seed: 3, minEpochs: 2, reductionFactor: 3 });
    expect(halving.rungs).toEqual([2, 6, 18]);
    expect(halving.settings[0]).toEqual({ rate: 1 });
    const { result, steps } = drive(halving);
    expect(steps.map((requests) => requests.length)).toEqual([9, 4, 1]);
    expect(steps.map((requests) => requests[0]!.epochs)).toEqual([2, 6, 18]);
    // The rung-1 trials are the three best of rung 0 and the base (its 5 epochs lie beyond rung 0), and the winner the best of them.
    const rung0 = [...steps[0]!].sort((a, b) => train(b).score - train(a).score);
    expect(rung0.slice(0, 3).map((r) => r.trial)).not.toContain(0);
    expect(steps[1]!.map((r) => r.trial).sort()).toEqual([0, ...rung0.slice(0, 3).map((r) => r.trial)].sort());
    expect(result.best.trial).toBe(rung0[0]!.trial);
    expect(result.chosen).toEqual({ ...halving.settings[result.best.trial], epochs: 18 });
    expect(result.trials.map((t) => t.outcome).filter((o) => o === 'pruned')).toHaveLength(8);
    expect(result.best).toMatchObject({ outcome: 'completed', epochs: 18, seconds: 3 });
  });

  it('chooses the same whatever order the reports arrive in, and ignores repeated reports', () => {
    const options = { trials: 12, seed: 7, minEpochs: 2, reductionFactor: 3 };
    const inOrder = drive(new SuccessiveHalving(SPACE, BASE, options)).result;
    const reversedTwice = drive(new SuccessiveHalving(SPACE, BASE, options), (pending) => [...pending].reverse().flatMap((r) => [r, r])).result;
    expect(reversedTwice).toEqual(inOrder);
  });

  it('promotes no early-stopped or cut trial, and keeps the base settings when no trial finished an epoch', () => {
    const halving = new SuccessiveHalving(SPACE, BASE, { trials: 6, seed: 1, minEpochs: 2, reductionFactor: 3 });
    const stopped = drive(halving, undefined, (r) => train(r, r.trial === 0 ? 'completed' : 'early-stopped'));
    expect(stopped.steps.map((requests) => requests.map((r) => r.trial))).toEqual([[0, 1, 2, 3, 4, 5], [0], [0]]);
    const cut = drive(halving, undefined, (r) => ({ ...train(r, 'cut'), score: -Infinity, bestEpochs: 0, epochs: 0 }));
    expect(cut.steps).toHaveLength(1);
    expect(cut.result.chosen).toEqual(BASE);
    expect(cut.result.trials.every((t) => t.outcome === 'cut')).toBe(true);
  });

  it('starts no further rung once told to stop', () => {
    const halving = new SuccessiveHalving(SPACE, BASE, { trials: 6, seed: 1, minEpochs: 2, reductionFactor: 3 });
    const first = halving.step([]);
    if (!('pending' in first)) throw new Error('expected requests');
    const step = halving.step(first.pending.map((r) => train(r)), true);
    if (!('result' in step)) throw new Error('expected a result');
    expect(step.result.trials).toHaveLength(6);
    expect(step.result.trials.every((t) => t.outcome === 'completed' && t.epochs === 2)).toBe(true);
  });

  it('refuses a search without trials or with a reduction factor below 2', () => {
    expect(() => new SuccessiveHalving(SPACE, BASE, { trials: 0, seed: 1, minEpochs: 2, reductionFactor: 3 })).toThrow(/at least one trial/);
    expect(() => new SuccessiveHalving(SPACE, BASE, { trials: 3, seed: 1, minEpochs: 2, reductionFactor: 1 })).toThrow(/reductionFactor >= 2/);
  });
});
