import { parseArgs } from 'node:util';
import type { FeatureSpec, Settings } from '@recstream/models';
import { isModelKind, MODEL_KINDS, type ModelKind } from '@recstream/schemas';

export interface NcfCliOptions {
  model: ModelKind;
  data: string;
  /** Tune on validation data first (see libs/models/src/tuning); `--model best` always tunes. */
  tune: boolean;
  /** Trials per model kind; undefined with a time budget alone. */
  trials?: number;
  /** Tuning time budget in seconds, shared evenly by the kinds `--model best` tunes. */
  budgetS?: number;
  /** What the flags set, so `--model best` applies them over each kind's defaults. */
  overrides: Partial<Defaults>;
  epochs: number;
  batch: number;
  dim: number;
  /** Sparse (embedding) learning rate. */
  lr: number;
  denseLr: number;
  negatives: number;
  history: number;
  seed: number;
  /** NeuMF only: pretrain GMF and MLP for this many epochs each first (0: no pretraining). */
  pretrainEpochs: number;
}

type Defaults = Omit<NcfCliOptions, 'model' | 'data' | 'tune' | 'trials' | 'budgetS' | 'overrides'>;

const COMMON: Defaults = { epochs: 10, batch: 2048, dim: 32, lr: 0.1, denseLr: 0.005, negatives: 4, history: 0, seed: 1, pretrainEpochs: 0 };

/** Per-model defaults: sequence models read the last 10 items, DeepFM reads hour and weekday. */
export const MODEL_DEFAULTS: Record<ModelKind, Defaults> = {
  mf: { ...COMMON, epochs: 20, batch: 1024, dim: 64, lr: 0.05 },
  neumf: { ...COMMON, dim: 16 },
  twotower: { ...COMMON, history: 10 },
  deepfm: { ...COMMON, dim: 16 },
  din: { ...COMMON, epochs: 6, batch: 1024, dim: 16, history: 10 },
  dien: { ...COMMON, epochs: 4, batch: 1024, dim: 16, history: 10 },
};

/** Trials per kind when `--tune` names neither `--trials` nor `--budget-s`. */
export const DEFAULT_TUNE_TRIALS = 20;

const USAGE = `usage: npm run ncf -- --model <${MODEL_KINDS.join('|')}|best> --data <u.data|ratings.dat|ratings.csv>
  [--epochs N] [--batch N] [--dim N] [--lr X] [--dense-lr X] [--negatives N] [--history N] [--seed N] [--pretrain-epochs N]
  [--tune [--trials N | --budget-s S]]   (--model best tunes every kind and keeps the best on validation)`;

/** Parsed arguments; `model` is `best` when every kind is to be tuned (resolve each with `optionsFor`). */
export type NcfCliRequest = Pick<NcfCliOptions, 'data' | 'tune' | 'trials' | 'budgetS' | 'overrides'> & { model: ModelKind | 'best' };

/** The kinds a request runs: one, or every kind for `best`. */
export function requestedKinds(request: NcfCliRequest): ModelKind[] {
  return request.model === 'best' ? [...MODEL_KINDS] : [request.model];
}

/** The request resolved for `kind`: its defaults, then what the flags set. */
export function optionsFor(request: NcfCliRequest, kind: ModelKind): NcfCliOptions {
  return { ...request, ...MODEL_DEFAULTS[kind], ...request.overrides, model: kind };
}

export function parseCli(argv: string[]): NcfCliRequest {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      data: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      dim: { type: 'string' },
      lr: { type: 'string' },
      'dense-lr': { type: 'string' },
      negatives: { type: 'string' },
      history: { type: 'string' },
      seed: { type: 'string' },
      'pretrain-epochs': { type: 'string' },
      tune: { type: 'boolean' },
      trials: { type: 'string' },
      'budget-s': { type: 'string' },
    },
  });
  const model = values.model;
  if (!(isModelKind(model) || model === 'best') || !values.data) throw new Error(USAGE);
  const number = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${value}\n${USAGE}`);
    return parsed;
  };
  const set = {
    epochs: number(values.epochs, 'epochs'),
    batch: number(values.batch, 'batch'),
    dim: number(values.dim, 'dim'),
    lr: number(values.lr, 'lr'),
    denseLr: number(values['dense-lr'], 'dense-lr'),
    negatives: number(values.negatives, 'negatives'),
    history: number(values.history, 'history'),
    seed: number(values.seed, 'seed'),
    pretrainEpochs: number(values['pretrain-epochs'], 'pretrain-epochs'),
  };
  const overrides = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined)) as Partial<Defaults>;
  const trials = number(values.trials, 'trials');
  const budgetS = number(values['budget-s'], 'budget-s');
  if (trials !== undefined && budgetS !== undefined) throw new Error(`--trials and --budget-s exclude each other\n${USAGE}`);
  if ((trials !== undefined && !(trials >= 1)) || (budgetS !== undefined && !(budgetS > 0))) {
    throw new Error(`--trials must be at least 1 and --budget-s above 0\n${USAGE}`);
  }
  const tune = values.tune === true || model === 'best';
  if (!tune && (trials !== undefined || budgetS !== undefined)) throw new Error(`--trials and --budget-s need --tune\n${USAGE}`);
  return {
    model,
    data: values.data,
    tune,
    trials: trials ?? (budgetS === undefined && tune ? DEFAULT_TUNE_TRIALS : undefined),
    budgetS,
    overrides,
  };
}

/** DeepFM reads time context derived from the rating's timestamp; the others read none. */
export function featureSpecFor(options: NcfCliOptions): FeatureSpec {
  return { contextFields: options.model === 'deepfm' ? ['hour', 'weekday'] : [], historyLength: options.history };
}

/** The model config keys `--dim` and `--lr` map to. */
export function modelConfigFor(options: NcfCliOptions): Record<string, unknown> {
  const rates = { seed: options.seed, sparseLearningRate: options.lr, denseLearningRate: options.denseLr };
  switch (options.model) {
    case 'mf':
      return { ...rates, dim: options.dim };
    case 'neumf':
      return { ...rates, gmfDim: options.dim, mlpDim: options.dim };
    default:
      return { ...rates, embeddingDim: options.dim };
  }
}

/** The options as tuning settings: the model config of `modelConfigFor` (seed aside) and the fit keys. */
export function settingsFor(options: NcfCliOptions): Settings {
  const config = modelConfigFor(options) as Settings;
  // Every trial takes the run's seed; it is not a setting to choose.
  delete config.seed;
  return { ...config, epochs: options.epochs, batchSize: options.batch, negatives: options.negatives, historyLength: options.history };
}
