import { NonRetriableError, RecstreamError, isRetriable } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first one. */
  retries: number;
  /** Delay before the first retry, in ms; doubles each time up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Each delay is multiplied by a random factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, initialDelayMs: 100, maxDelayMs: 5_000, jitter: 0.2 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` until it succeeds, it calls `bail`, it throws a non-retriable
 * error, or the retries are spent; the last failure is wrapped with the attempt count.
 */
export function retry(options: Partial<RetryOptions> = {}) {
  const opts = { ...DEFAULT_RETRY, ...options };
  return async <T>(task: (bail: (error: unknown) => never, attempt: number) => Promise<T>): Promise<T> => {
    const bail = (error: unknown): never => {
      throw new NonRetriableError(error instanceof Error ? error.message : String(error), { cause: error });
    };
    for (let attempt = 0; ; attempt++) {
      try {
        return await task(bail, attempt);
      } catch (error) {
        if (!isRetriable(error) || attempt >= opts.retries) {
          if (error instanceof NonRetriableError || attempt === 0) throw error;
          throw new RecstreamError(`gave up after ${attempt + 1} attempts: ${(error as Error).message}`, {
            retriable: false,
            cause: error,
          });
        }
        const base = Math.min(opts.maxDelayMs, opts.initialDelayMs * 2 ** attempt);
        await sleep(base * (1 - opts.jitter + Math.random() * 2 * opts.jitter));
      }
    }
  };
}
