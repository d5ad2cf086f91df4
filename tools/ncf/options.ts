import { parseArgs } from 'node:util';
import type { FeatureSpec } from '@recstream/models';
import { isModelKind, MODEL_KINDS, type ModelKind } from '@recstream/schemas';

export interface NcfCliOptions {
  model: ModelKind;
  data: string;
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

type Defaults = Omit<NcfCliOptions, 'model' | 'data'>;

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

const USAGE = `usage: npm run ncf -- --model <${MODEL_KINDS.join('|')}> --data <u.data|ratings.dat|ratings.csv>
  [--epochs N] [--batch N] [--dim N] [--lr X] [--dense-lr X] [--negatives N] [--history N] [--seed N] [--pretrain-epochs N]`;

export function parseCli(argv: string[]): NcfCliOptions {
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
    },
  });
  const model = values.model;
  if (!isModelKind(model) || !values.data) throw new Error(USAGE);
  const defaults = MODEL_DEFAULTS[model];
  const number = (value: string | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${value}\n${USAGE}`);
    return parsed;
  };
  return {
    model,
    data: values.data,
    epochs: number(values.epochs, defaults.epochs, 'epochs'),
    batch: number(values.batch, defaults.batch, 'batch'),
    dim: number(values.dim, defaults.dim, 'dim'),
    lr: number(values.lr, defaults.lr, 'lr'),
    denseLr: number(values['dense-lr'], defaults.denseLr, 'dense-lr'),
    negatives: number(values.negatives, defaults.negatives, 'negatives'),
    history: number(values.history, defaults.history, 'history'),
    seed: number(values.seed, defaults.seed, 'seed'),
    pretrainEpochs: number(values['pretrain-epochs'], defaults.pretrainEpochs, 'pretrain-epochs'),
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
