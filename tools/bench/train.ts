import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  createModel,
  selectBackend,
  trainingBatches,
  type Batch,
  type BackendName,
  type FeatureSpec,
  type ModelKind,
} from '@recstream/models';
import { plantedSequences } from '@recstream/models/testing';
import { recordBenchmark } from './report.js';

/**
 * Training throughput per model and backend. Each backend runs in its own
 * child process (tfjs picks one backend per process), which also gives each
 * its own peak RSS.
 */
const BACKENDS: BackendName[] = ['wasm', 'cpu'];
/** Batch sizes as a trainer would use them; large batches amortise per-op overhead. */
const BATCH_SIZES: Record<ModelKind, number> = { mf: 1024, neumf: 4096, twotower: 2048, deepfm: 2048, din: 1024, dien: 1024 };
/** Time spent measuring each model's training and scoring, per backend. */
const TRAIN_MS = 4000;
const SCORE_MS = 1000;
const HISTORY = 10;

interface ModelResult {
  model: ModelKind;
  trainSamplesPerSecond: number;
  scoreSamplesPerSecond: number;
}
interface BackendResult {
  backend: string;
  peakRssMb: number;
  models: ModelResult[];
}

const childBackend = process.argv[2] as BackendName | undefined;
if (childBackend) console.log(JSON.stringify(await measure(childBackend)));
else runAll();

async function measure(backend: BackendName): Promise<BackendResult> {
  const chosen = await selectBackend({ preference: [backend] });
  const data = plantedSequences({ users: 2000, items: 3000, interactionsPerUser: 30, seed: 3 }).map((i) => ({
    ...i,
    context: [i.itemId % 3, Math.floor(i.timestamp / 3_600_000) % 24],
  }));
  const models: ModelResult[] = [];
  for (const kind of Object.keys(BATCH_SIZES) as ModelKind[]) {
    const spec: FeatureSpec = {
      contextFields: kind === 'deepfm' ? ['device', 'hour'] : [],
      historyLength: ['din', 'dien', 'twotower'].includes(kind) ? HISTORY : 0,
    };
    // Batches are built up front: the figure is the model's step, not the sampler's.
    const batches = [...trainingBatches(data, spec, { batchSize: BATCH_SIZES[kind] })].filter((b) => b.size === BATCH_SIZES[kind]);
    const model = createModel(kind, spec);
    model.trainStep(batches[0]!); // warm-up: kernels, row creation
    const trainSamplesPerSecond = throughput(batches, TRAIN_MS, (batch) => model.trainStep(batch));
    const scoreSamplesPerSecond = throughput(batches, SCORE_MS, (batch) => model.score(batch));
    model.dispose();
    models.push({ model: kind, trainSamplesPerSecond, scoreSamplesPerSecond });
    console.error(`${chosen} ${kind}: ${trainSamplesPerSecond} train samples/s, ${scoreSamplesPerSecond} score samples/s`);
  }
  return { backend: chosen, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), models };
}

/** Samples per second over whole batches for about `budgetMs` (at least 3 batches, cycling). */
function throughput(batches: Batch[], budgetMs: number, step: (batch: Batch) => unknown): number {
  const started = performance.now();
  let samples = 0;
  let steps = 0;
  while (steps < 3 || performance.now() - started < budgetMs) {
    const batch = batches[steps % batches.length]!;
    step(batch);
    samples += batch.size;
    steps++;
  }
  return Math.round(samples / ((performance.now() - started) / 1000));
}

function runAll(): void {
  const self = fileURLToPath(import.meta.url);
  const results: BackendResult[] = BACKENDS.map((backend) => {
    const output = execFileSync(process.execPath, [...process.execArgv, self, backend], { stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(output.toString().trim().split('\n').at(-1)!) as BackendResult;
  });
  const wasm = results.find((r) => r.backend === 'wasm') ?? results[0]!;
  const figure = (result: BackendResult, kind: ModelKind) => result.models.find((m) => m.model === kind)!.trainSamplesPerSecond;
  const details = [
    '| backend | model | batch | train samples/s | score samples/s |',
    '|---|---|---|---|---|',
    ...results.flatMap((r) =>
      r.models.map((m) => `| ${r.backend} | ${m.model} | ${BATCH_SIZES[m.model]} | ${m.trainSamplesPerSecond} | ${m.scoreSamplesPerSecond} |`),
    ),
    '',
    ...results.map((r) => `- peak RSS with ${r.backend}: ${r.peakRssMb} MB`),
    `- data: planted sequences, 2,000 users x 30 interactions, 4 sampled negatives per positive; history ${HISTORY} for din, dien and twotower; batches built before timing.`,
    '- MF runs in pure TypeScript whatever the backend; tfjs models keep embeddings in sparse tables outside the autograd graph.',
  ];
  recordBenchmark({
    area: 'train',
    figures: {
      backend: wasm.backend,
      mf_samples_per_s: figure(wasm, 'mf'),
      neumf_samples_per_s: figure(wasm, 'neumf'),
      twotower_samples_per_s: figure(wasm, 'twotower'),
      deepfm_samples_per_s: figure(wasm, 'deepfm'),
      din_samples_per_s: figure(wasm, 'din'),
      dien_samples_per_s: figure(wasm, 'dien'),
      peak_rss_mb: Math.max(...results.map((r) => r.peakRssMb)),
    },
    details,
  });
}
