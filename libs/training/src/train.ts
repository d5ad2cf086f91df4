import type pg from 'pg';
import {
  auc,
  createModel,
  createRandom,
  deserializeModel,
  encodeRows,
  fitNumericBuckets,
  modelScorer,
  numericFeatures,
  selectBackend,
  serializeModel,
  type BackendName,
  type Batch,
  type EncodableRow,
  type FeatureSpec,
  type Random,
  type RecModel,
} from '@recstream/models';
import { NonRetriableError, RecstreamError } from '@recstream/platform';
import { readManifest, readSamples, type Sample } from '@recstream/samples';
import type { ModelKind, ModelRole } from '@recstream/schemas';
import { refuseDegenerateEvaluation, refuseNoTrainingPositives, refuseUntrainable } from './checks.js';
import { DatasetIndex, evaluateOnDataset, PopularityBaseline, toRow, type EvaluationReport } from './evaluate.js';
import { defaultHyperparameters, featureSpecFor } from './model-specs.js';
import { EncodedCache } from './encoded-cache.js';
import { NegativeSampler } from './negatives.js';
import { chunked, shuffled } from './shuffle.js';

export interface TrainOptions {
  datasetVersion: string;
  modelType: ModelKind;
  /**
   * `recall` models learn from the positives against sampled unseen items
   * (the NCF setting), whatever the dataset's labels; `ranking` models learn
   * the dataset's labels (clicks among exposures) as they are.
   */
  role: ModelRole;
  /** Sampled negatives per positive for recall models. */
  negatives: number;
  /** Overrides of the model's default hyperparameters. */
  hyperparameters: Record<string, number | string | boolean>;
  seed: number;
  /** Upper bound on epochs; early stopping usually ends sooner. */
  maxEpochs: number;
  /** Epochs without a better validation AUC before stopping (none without a validation split). */
  patience: number;
  batchSize: number;
  /** Samples held for shuffling the time-ordered stream; bounds memory. */
  shuffleBuffer: number;
  /** Encoded samples kept in memory for later epochs (tens of bytes each); past it, every epoch re-reads Postgres. */
  cacheSamples: number;
  /** Aborting fails the run cleanly between batches (SIGTERM, job cancelled). */
  signal?: AbortSignal;
  onProgress?: (progress: TrainProgress) => void;
  /** Awaited after each epoch's validation, before the next epoch: a tuning trial waits here while the search decides. */
  afterValidation?: (epoch: number, validationAuc: number) => void | Promise<void>;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'datasetVersion' | 'modelType' | 'role'> = {
  negatives: 4,
  hyperparameters: {},
  seed: 1,
  maxEpochs: 20,
  patience: 3,
  batchSize: 1_024,
  shuffleBuffer: 65_536,
  cacheSamples: 5_000_000,
};

export interface TrainProgress {
  phase: 'train' | 'validate' | 'evaluate';
  epoch: number;
  /** Samples trained so far in this epoch, and the epoch's size when known. */
  samples: number;
  total: number;
  loss?: number;
  validationAuc?: number;
}

export interface TrainResult {
  /** The best epoch's model; the caller disposes it. */
  model: RecModel;
  backend: BackendName;
  metrics: EvaluationReport & {
    popularity_hr_at_10: number;
    popularity_ndcg_at_10: number;
    validation_auc: number;
    best_epoch: number;
    epochs: number;
    train_samples_per_s: number;
  };
  /** The training data's index, for evaluating other models on the same cases. */
  index: DatasetIndex;
}

/**
 * Trains one model on a ready dataset version, streaming samples in bounded
 * memory through a shuffle buffer, with early stopping on validation AUC, and
 * evaluates the best epoch on the test split and the NCF holdout (against
 * the popularity baseline too).
 */
export async function trainOnDataset(pool: pg.Pool, options: Pick<TrainOptions, 'datasetVersion' | 'modelType' | 'role'> & Partial<TrainOptions>): Promise<TrainResult> {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const manifest = await readManifest(pool, o.datasetVersion);
  if (manifest?.status !== 'ready') throw new NonRetriableError(`dataset version ${o.datasetVersion} is not ready (${manifest?.status ?? 'unknown'})`);
  refuseUntrainable(manifest);
  let trainTotal = Number(manifest.splitCounts?.train ?? manifest.sampleCount);
  const backend = await selectBackend();
  const spec = await withNumericBuckets(pool, o.datasetVersion, featureSpecFor(o.modelType), trainTotal);
  const model = createModel(o.modelType, spec, { seed: o.seed, ...defaultHyperparameters(o.modelType), ...o.hyperparameters });
  const index = new DatasetIndex();
  const random = createRandom(o.seed);
  const cache = new EncodedCache(o.cacheSamples);
  const validation = new ValidationSet(pool, o.datasetVersion, o.batchSize * 4);
  const data: TrainingData = { cache, spec, index, random, sampler: o.role === 'recall' ? new NegativeSampler(o.negatives, spec) : undefined };
  // Negatives need every user's positives and the whole item universe first: a scan pass without training.
  if (data.sampler) {
    for await (const batch of streamTrainSplit(pool, o, data)) data.sampler.observe(batch);
    trainTotal = data.sampler.positiveCount * (1 + o.negatives);
  }

  let best: { auc: number; epoch: number; bytes: Uint8Array } = { auc: -Infinity, epoch: -1, bytes: new Uint8Array() };
  let epoch = 0;
  let trained = 0;
  let trainSeconds = 0;
  for (; epoch < o.maxEpochs && epoch - best.epoch <= o.patience; epoch++) {
    const started = performance.now();
    let lastYield = started;
    let samples = 0;
    for await (const batch of epochBatches(pool, o, epoch, data)) {
      if (o.signal?.aborted) throw new RecstreamError(`training aborted (${String(o.signal.reason ?? 'signal')}); the job is retried`);
      const loss = model.trainStep(batch);
      // Training is synchronous; let timers run (job lock renewal, health checks) between batches.
      if (performance.now() - lastYield > 50) lastYield = await new Promise<number>((resolve) => setImmediate(() => resolve(performance.now())));
      samples += batch.size;
      o.onProgress?.({ phase: 'train', epoch, samples, total: trainTotal, loss });
    }
    if (epoch === 0) refuseNoTrainingPositives(o.datasetVersion, index);
    trained += samples;
    trainSeconds += (performance.now() - started) / 1000;
    const validationAuc = await validation.auc(model);
    o.onProgress?.({ phase: 'validate', epoch, samples, total: trainTotal, validationAuc });
    await o.afterValidation?.(epoch, validationAuc);
    // Without a validation split (leave-latest-out) every epoch counts as the best so far: training runs maxEpochs.
    if (validationAuc > best.auc || Number.isNaN(validationAuc)) best = { auc: validationAuc, epoch, bytes: serializeModel(model) };
  }
  model.dispose();
  const bestModel = deserializeModel(best.bytes);
  o.onProgress?.({ phase: 'evaluate', epoch: best.epoch, samples: 0, total: 0 });
  const report = await evaluateOnDataset(pool, o.datasetVersion, modelScorer(bestModel), index, { seed: o.seed });
  refuseDegenerateEvaluation(o.datasetVersion, report);
  const popularity = await evaluateOnDataset(pool, o.datasetVersion, new PopularityBaseline(index), index, { seed: o.seed });
  return {
    model: bestModel,
    backend,
    index,
    metrics: {
      ...report,
      popularity_hr_at_10: popularity.hr_at_10,
      popularity_ndcg_at_10: popularity.ndcg_at_10,
      validation_auc: best.auc,
      best_epoch: best.epoch,
      epochs: epoch,
      train_samples_per_s: Math.round(trained / Math.max(trainSeconds, 1e-9)),
    },
  };
}

/** Rows the numeric features' bucket boundaries are fitted on, sampled evenly over the train split. */
const BUCKET_FIT_ROWS = 50_000;

/** `spec` with bucket boundaries for the numeric features it reads, fitted on the train split (one read pass). */
async function withNumericBuckets(pool: pg.Pool, datasetVersion: string, spec: FeatureSpec, trainTotal: number): Promise<FeatureSpec> {
  if (numericFeatures(spec).length === 0) return spec;
  const stride = Math.max(1, Math.ceil(trainTotal / BUCKET_FIT_ROWS));
  const rows: EncodableRow[] = [];
  let seen = 0;
  for await (const samples of readSamples(pool, datasetVersion, { splits: ['train'] })) {
    for (const sample of samples) if (seen++ % stride === 0) rows.push(toRow(sample));
  }
  return { ...spec, numericBuckets: fitNumericBuckets(spec, rows) };
}

interface TrainingData {
  cache: EncodedCache;
  spec: FeatureSpec;
  index: DatasetIndex;
  random: Random;
  sampler?: NegativeSampler;
}

/**
 * One epoch's batches: the first pass over the train split streams Postgres
 * through the shuffle buffer, growing the vocabularies, indexing the data and
 * filling the cache; later epochs replay the cache reshuffled (or stream
 * again when it overflowed). Recall models get fresh negatives each epoch.
 */
async function* epochBatches(pool: pg.Pool, o: TrainOptions, epoch: number, data: TrainingData): AsyncGenerator<Batch> {
  const replay = data.cache.complete && (epoch > 0 || data.sampler);
  const positivesPerBatch = data.sampler ? Math.ceil(o.batchSize / (1 + o.negatives)) : o.batchSize;
  const source = replay ? data.cache.epoch(positivesPerBatch, data.random) : streamTrainSplit(pool, o, data);
  for await (const batch of source) yield data.sampler ? data.sampler.augment(batch, data.random) : batch;
}

async function* streamTrainSplit(pool: pg.Pool, o: TrainOptions, data: TrainingData): AsyncGenerator<Batch> {
  const first = !data.cache.started;
  const stream = shuffled(readSamples(pool, o.datasetVersion, { splits: ['train'], batchSize: o.batchSize * 4 }), o.shuffleBuffer, data.random);
  for await (const samples of chunked(stream, o.batchSize)) {
    if (first) samples.forEach((sample: Sample) => data.index.observe(sample));
    const batch = encodeRows(data.spec, samples.map((sample) => toRow(sample)));
    if (first) data.cache.add(batch);
    yield batch;
  }
}

/** Validation batches, encoded once and reused every epoch. */
class ValidationSet {
  private batches?: Batch[];

  constructor(
    private readonly pool: pg.Pool,
    private readonly datasetVersion: string,
    private readonly batchSize: number,
  ) {}

  /** The validation split's AUC; NaN when the version has no validation split. */
  async auc(model: RecModel): Promise<number> {
    if (!this.batches) {
      this.batches = [];
      for await (const samples of readSamples(this.pool, this.datasetVersion, { splits: ['validation'], batchSize: this.batchSize })) {
        this.batches.push(encodeRows(model.spec, samples.map((sample) => toRow(sample))));
      }
    }
    const scores: number[] = [];
    const labels: number[] = [];
    for (const batch of this.batches) {
      scores.push(...model.score(batch));
      labels.push(...batch.labels!);
    }
    return scores.length === 0 ? Number.NaN : auc(scores, labels.map((label) => (label > 0 ? 1 : 0)));
  }
}
