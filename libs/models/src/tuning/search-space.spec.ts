import { describe, expect, it } from 'vitest';
import { createRandom } from '../random.js';
import { checkSearchSpace, sampleSettings, splitSettings, type SearchSpace } from './search-space.js';
import { SEARCH_SPACES } from './search-spaces.js';

const SPACE: SearchSpace = {
  params: {
    rate: { type: 'log', low: 0.001, high: 1 },
    width: { type: 'int', low: 2, high: 5 },
    dim: { type: 'choice', values: [8, 64] },
  },
  maxEpochs: 4,
};

describe('sampleSettings', () => {
  it('repeats under a seed, keeps base keys and stays in range', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 200 }, () => sampleSettings(SPACE, { other: 7, rate: 5 }, random));
    };
    const drawn = draw(3);
    expect(draw(3)).toEqual(drawn);
    expect(draw(4)).not.toEqual(drawn);
    for (const s of drawn) {
      expect(s.other).toBe(7);
      expect(s.rate).toBeGreaterThanOrEqual(0.001);
      expect(s.rate).toBeLessThanOrEqual(1);
      expect(Number.isInteger(s.width) && s.width! >= 2 && s.width! <= 5).toBe(true);
      expect([8, 64]).toContain(s.dim);
    }
    // Log-uniform: about a third of draws in each decade of [0.001, 1].
    const lowDecade = drawn.filter((s) => s.rate! < 0.01).length;
    expect(lowDecade).toBeGreaterThan(40);
    expect(lowDecade).toBeLessThan(95);
    expect(new Set(drawn.map((s) => s.width)).size).toBe(4);
  });
});

describe('splitSettings', () => {
  it('separates fit keys and history from model config', () => {
    expect(splitSettings({ dim: 8, l2: 0, epochs: 3, batchSize: 256, negatives: 2, historyLength: 5 })).toEqual({
      config: { dim: 8, l2: 0 },
      fit: { epochs: 3, batchSize: 256, negatives: 2 },
      historyLength: 5,
    });
    expect(splitSettings({ dim: 8 })).toEqual({ config: { dim: 8 }, fit: {}, historyLength: undefined });
  });
});

describe('search spaces', () => {
  it.each(Object.entries(SEARCH_SPACES))('%s declares a valid space', (_kind, space) => {
    expect(() => checkSearchSpace(space)).not.toThrow();
    expect(Object.keys(space.params)).toEqual(expect.arrayContaining(['sparseLearningRate', 'l2', 'negatives', 'batchSize']));
  });

  it('only the models that read history search its length', () => {
    const withHistory = Object.entries(SEARCH_SPACES).filter(([, space]) => 'historyLength' in space.params).map(([kind]) => kind);
    expect(withHistory.sort()).toEqual(['dien', 'din', 'twotower']);
  });

  it('refuses empty ranges', () => {
    expect(() => checkSearchSpace({ params: { x: { type: 'choice', values: [] } }, maxEpochs: 1 })).toThrow(/x/);
    expect(() => checkSearchSpace({ params: { x: { type: 'log', low: 0, high: 1 } }, maxEpochs: 1 })).toThrow(/x/);
    expect(() => checkSearchSpace({ params: {}, maxEpochs: 0 })).toThrow(/maxEpochs/);
  });
});
