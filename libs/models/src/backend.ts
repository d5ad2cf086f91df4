import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NonRetriableError, type Logger } from '@recstream/platform';

/** The tfjs backends the platform can run on, best first. */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendOptions {
  /** Backends to try, best first. */
  preference: BackendName[];
  /** The one backend to use instead: selection fails, saying why, when it cannot start. */
  required?: BackendName;
  /** Told which backend was chosen and why others were passed over. */
  onSelect?: (chosen: BackendName, skipped: { name: BackendName; reason: string }[]) => void;
  /** Where the choice is logged: info, or a warning when a preferred backend was passed over. */
  logger?: Logger;
}

export const DEFAULT_BACKEND_OPTIONS: BackendOptions = {
  preference: [...BACKEND_NAMES],
};

/**
 * tfjs-node(-gpu) are not dependencies (they download libtensorflow at install
 * time, see DESIGN.md); GPU images install them, so they are imported by a
 * name the compiler does not resolve.
 */
const NODE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

async function activate(name: BackendName): Promise<void> {
  const nodePackage = NODE_PACKAGES[name];
  if (nodePackage) {
    await import(nodePackage);
    // Both node packages register their backend as 'tensorflow'.
    if (!(await tf.setBackend('tensorflow'))) throw new Error(`${nodePackage} loaded but its backend did not start`);
    return;
  }
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not initialise`);
}

let selected: Promise<BackendName> | undefined;

/**
 * Picks the first backend that loads (tfjs-node-gpu, tfjs-node, wasm, cpu),
 * or the required one, and makes it tfjs's backend. Selection happens once
 * per process; later calls return the same answer (a failed one is not kept).
 */
export function selectBackend(options: Partial<BackendOptions> = {}): Promise<BackendName> {
  const opts = { ...DEFAULT_BACKEND_OPTIONS, ...options };
  selected ??= choose(opts).catch((error: unknown) => {
    selected = undefined;
    throw error;
  });
  const { required } = opts;
  if (!required) return selected;
  return selected.then((chosen) => {
    if (chosen !== required) throw new NonRetriableError(`tfjs backend ${required} is required, but this process already runs on ${chosen}`);
    return chosen;
  });
}

async function choose({ preference, required, onSelect, logger }: BackendOptions): Promise<BackendName> {
  const skipped: { name: BackendName; reason: string }[] = [];
  for (const name of required ? [required] : preference) {
    try {
      await activate(name);
    } catch (error) {
      skipped.push({ name, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    // A fallback is worth a warning: a GPU host training on wasm is a broken image, not a choice.
    if (skipped.length > 0) logger?.warn({ backend: name, skipped }, `tfjs backend: ${name}, passing over ${skipped.map((s) => s.name).join(', ')}`);
    else logger?.info({ backend: name, skipped }, `tfjs backend: ${name}`);
    onSelect?.(name, skipped);
    return name;
  }
  if (required) {
    const install = NODE_PACKAGES[required] ? `install ${NODE_PACKAGES[required]} (see infra/docker/trainer-gpu.Dockerfile) or ` : '';
    throw new NonRetriableError(`tfjs backend ${required} is required but did not start (${skipped[0]!.reason}); ${install}require another backend`, {
      context: { skipped },
    });
  }
  throw new NonRetriableError('no tfjs backend could be started', { context: { skipped } });
}

/** A kernel a model needs is not registered for the active backend. */
export class MissingKernelError extends NonRetriableError {
  constructor(
    readonly kernels: string[],
    readonly backend: string,
    model: string,
  ) {
    super(`model ${model} needs kernels ${kernels.join(', ')} that backend ${backend} does not register`, {
      context: { kernels, backend, model },
    });
  }
}

/** Throws MissingKernelError naming every kernel in `kernels` the active backend lacks. */
export function assertKernels(kernels: readonly string[], model: string): void {
  const backend = tf.getBackend();
  const missing = kernels.filter((kernel) => tf.getKernel(kernel, backend) === undefined);
  if (missing.length > 0) throw new MissingKernelError(missing, backend, model);
}
