/**
 * Why a fetch failed, in words a person can act on: Node's fetch reports
 * network failures as 'fetch failed' with the reason (e.g. ECONNREFUSED) in `cause`.
 */
export function fetchFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return error.cause instanceof Error ? error.cause.message : error.message;
}
