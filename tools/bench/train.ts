import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
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
/** The plain cpu backend is an order of magnitude slower; smaller batches keep the bench short. */
const CPU_BATCH_LIMIT = 256;
/** Time spent measuring each model's training and scoring, per backend. */
const TRAIN_MS = 3000;
const SCORE_MS = 1000;
/**
 * Steady state is what a trainer sees: kernels compiled, rows created, and V8
 * done optimising (its compiler threads, and the wasm backend's tier-up,
 * otherwise burn CPU inside the measured window).
 */
const WARMUP_MS = 1000;
const HISTORY = 10;

interface ModelResult {
  model: ModelKind;
  trainSamplesPerSecond: number;
  /** Per second of this process's CPU time: what an otherwise idle core would give (the backends here run one thread). */
  trainSamplesPerCpuSecond: number;
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
    const batchSize = batchSizeFor(chosen, kind);
    const batches = [...trainingBatches(data, spec, { batchSize })].filter((b) => b.size === batchSize);
    const model = createModel(kind, spec);
    throughput(batches, WARMUP_MS, (batch) => model.trainStep(batch));
    const train = throughput(batches, TRAIN_MS, (batch) => model.trainStep(batch));
    const score = throughput(batches, SCORE_MS, (batch) => model.score(batch));
    model.dispose();
    models.push({
      model: kind,
      trainSamplesPerSecond: train.perSecond,
      trainSamplesPerCpuSecond: train.perCpuSecond,
      scoreSamplesPerSecond: score.perSecond,
    });
    console.error(`${chosen} ${kind}: ${train.perSecond} train samples/s (${train.perCpuSecond} per CPU-second), ${score.perSecond} score samples/s`);
  }
  return { backend: chosen, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), models };
}

function machineCores(): number {
  return availableParallelism();
}

function batchSizeFor(backend: string, kind: ModelKind): number {
  return backend === 'cpu' && kind !== 'mf' ? Math.min(BATCH_SIZES[kind], CPU_BATCH_LIMIT) : BATCH_SIZES[kind];
}

/** Samples per second over whole batches for about `budgetMs` (at least 2 batches, cycling). */
function throughput(batches: Batch[], budgetMs: number, step: (batch: Batch) => unknown): { perSecond: number; perCpuSecond: number } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  let samples = 0;
  let steps = 0;
  while (steps < 2 || performance.now() - started < budgetMs) {
    const batch = batches[steps % batches.length]!;
    step(batch);
    samples += batch.size;
    steps++;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    perSecond: Math.round(samples / ((performance.now() - started) / 1000)),
    perCpuSecond: Math.round(samples / ((cpu.user + cpu.system) / 1e6)),
  };
}

function runAll(): void {
  const self = fileURLToPath(import.meta.url);
  // Other work on the machine lowers every figure; the load is recorded beside them.
  const loadBefore = loadavg()[0]!.toFixed(1);
  const results: BackendResult[] = BACKENDS.map((backend) => {
    const output = execFileSync(process.execPath, [...process.execArgv, self, backend], { stdio: ['ignore', 'pipe', 'inherit'] });
    return JSON.parse(output.toString().trim().split('\n').at(-1)!) as BackendResult;
  });
  const wasm = results.find((r) => r.backend === 'wasm') ?? results[0]!;
  const resultOf = (result: BackendResult, kind: ModelKind) => result.models.find((m) => m.model === kind)!;
  const figure = (result: BackendResult, kind: ModelKind) => resultOf(result, kind).trainSamplesPerSecond;
  const details = [
    '| backend | model | batch | train samples/s | train samples per CPU-second | score samples/s |',
    '|---|---|---|---|---|---|',
    ...results.flatMap((r) =>
      r.models.map((m) => `| ${r.backend} | ${m.model} | ${batchSizeFor(r.backend, m.model)} | ${m.trainSamplesPerSecond} | ${m.trainSamplesPerCpuSecond} | ${m.scoreSamplesPerSecond} |`),
    ),
    '',
    ...results.map((r) => `- peak RSS with ${r.backend}: ${r.peakRssMb} MB`),
    `- 1-minute load average before the run: ${loadBefore} (on ${machineCores()} cores); wall-clock throughput, single process per backend.`,
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
      mf_samples_per_cpu_s: resultOf(wasm, 'mf').trainSamplesPerCpuSecond,
      neumf_samples_per_cpu_s: resultOf(wasm, 'neumf').trainSamplesPerCpuSecond,
      peak_rss_mb: Math.max(...results.map((r) => r.peakRssMb)),
    },
    details,
  });
}
