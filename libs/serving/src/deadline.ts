import { RecstreamError } from '@recstream/platform';

/**
 * Rejects when `promise` has not settled within `ms`, so one slow dependency
 * cannot eat the latency budget. The rejection waits for the event loop's
 * I/O phase after the timer: when the loop was busy with other requests
 * past the deadline, a reply already on the socket still wins, and the
 * request is not degraded for the process's own lateness.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => (immediate = setImmediate(() => reject(new RecstreamError(`${what} took longer than ${ms} ms`)))), ms);
  });
  return Promise.race([promise, expired]).finally(() => {
    clearTimeout(timer);
    clearImmediate(immediate);
  });
}
