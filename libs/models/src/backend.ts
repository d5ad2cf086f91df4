import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { NonRetriableError, type Logger } from '@recstream/platform';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Backends to try, best first. */
  preference: BackendName[];
  /** Told which backend was chosen and why others were passed over. */
  onSelect?: (chosen: BackendName, skipped: { name: BackendName; reason: string }[]) => void;
  /** Where the choice is logged (info), e.g. the trainer's logger. */
  logger?: Logger;
}

export const DEFAULT_BACKEND_OPTIONS: BackendOptions = {
  preference: ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'],
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
 * Picks the first backend that loads (tfjs-node-gpu, tfjs-node, wasm, cpu)
 * and makes it tfjs's backend. Selection happens once per process; later
 * calls return the same answer.
 */
export function selectBackend(options: Partial<BackendOptions> = {}): Promise<BackendName> {
  selected ??= (async () => {
    const { preference, onSelect, logger } = { ...DEFAULT_BACKEND_OPTIONS, ...options };
    const skipped: { name: BackendName; reason: string }[] = [];
    for (const name of preference) {
      try {
        await activate(name);
        logger?.info({ backend: name, skipped }, `tfjs backend: ${name}`);
        onSelect?.(name, skipped);
        return name;
      } catch (error) {
        skipped.push({ name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    throw new NonRetriableError('no tfjs backend could be started', { context: { skipped } });
  })();
  return selected;
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
