import type { Random } from '../random.js';

/** One hyperparameter's range. */
export type Param =
  /** A float drawn log-uniformly from [low, high]: learning rates, where 0.01 and 0.1 are as far apart as 0.1 and 1. */
  | { type: 'log'; low: number; high: number }
  /** An integer drawn uniformly from [low, high]. */
  | { type: 'int'; low: number; high: number }
  /** One of a few values, each equally likely. */
  | { type: 'choice'; values: readonly number[] };

/**
 * What a search may change for one model kind. Keys are model config keys
 * (`dim`, `sparseLearningRate`, `l2`, ...) or the fit keys `batchSize`, `negatives` and `historyLength`.
 * Epochs are not drawn: every trial trains up to `maxEpochs`, and early
 * stopping and successive halving decide how many it really gets.
 */
export interface SearchSpace {
  params: Readonly<Record<string, Param>>;
  maxEpochs: number;
}

/** A trial's settings: model config keys and fit keys, all numbers. */
export type Settings = Record<string, number>;

/** Settings split into the model's config, the fit options (epochs, batchSize, negatives) and the history length (undefined: the spec's). */
export function splitSettings(settings: Settings): {
  config: Settings;
  fit: { epochs?: number; batchSize?: number; negatives?: number };
  historyLength?: number;
} {
  const { epochs, batchSize, negatives, historyLength, ...config } = settings;
  const fit = Object.fromEntries(Object.entries({ epochs, batchSize, negatives }).filter(([, value]) => value !== undefined));
  return { config, fit, historyLength };
}

/** `base` with every parameter of `space` drawn from `random`; the order of draws follows the space's keys, so a seed repeats. */
export function sampleSettings(space: SearchSpace, base: Settings, random: Random): Settings {
  const settings = { ...base };
  for (const [name, param] of Object.entries(space.params)) settings[name] = sampleParam(param, random);
  return settings;
}

function sampleParam(param: Param, random: Random): number {
  switch (param.type) {
    case 'log':
      // Rounded to 3 significant digits so settings read well in logs and job configs.
      return Number(Math.exp(Math.log(param.low) + random.next() * (Math.log(param.high) - Math.log(param.low))).toPrecision(3));
    case 'int':
      return param.low + random.int(param.high - param.low + 1);
    case 'choice':
      return param.values[random.int(param.values.length)]!;
  }
}

/** Throws when a space cannot be searched: empty ranges or choices, or no epochs. */
export function checkSearchSpace(space: SearchSpace): void {
  if (!(space.maxEpochs >= 1)) throw new RangeError(`search space needs maxEpochs >= 1, got ${space.maxEpochs}`);
  for (const [name, param] of Object.entries(space.params)) {
    const bad =
      param.type === 'choice' ? param.values.length === 0 : !(param.low <= param.high) || (param.type === 'log' && param.low <= 0);
    if (bad) throw new RangeError(`search space parameter ${name} has an empty or invalid range`);
  }
}

/** Parameters every model kind searches alike: L2 on embeddings (0 included), sampled negatives per positive, batch size. */
export const SHARED_PARAMS: Readonly<Record<string, Param>> = {
  l2: { type: 'choice', values: [0, 1e-5, 1e-4, 5e-4, 2e-3] },
  negatives: { type: 'int', low: 1, high: 10 },
  batchSize: { type: 'choice', values: [256, 512, 1024, 2048] },
};

/** The Adam learning rate of the tfjs models' dense towers. */
export const DENSE_LEARNING_RATE: Param = { type: 'log', low: 0.0005, high: 0.01 };

/** Behaviour-sequence lengths the models that read history search. */
export const HISTORY_PARAM: Param = { type: 'choice', values: [5, 10, 20] };
