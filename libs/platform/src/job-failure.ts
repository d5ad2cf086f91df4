import { UnrecoverableError } from 'bullmq';
import { isRetriable } from './errors.js';

/** What a BullMQ processor throws for `error`: UnrecoverableError when retrying cannot help, so the job fails at once instead of using up its attempts. */
export function jobFailure(error: unknown): unknown {
  return isRetriable(error) ? error : new UnrecoverableError(error instanceof Error ? error.message : String(error));
}
