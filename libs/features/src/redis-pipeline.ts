import type { ChainableCommander } from 'ioredis';
import { RecstreamError } from '@recstream/platform';

/** Runs a pipeline and returns its replies, throwing the first command error (ioredis returns them per command). */
export async function execPipeline(pipeline: ChainableCommander, what: string): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, result]) => {
    if (error) throw new RecstreamError(`${what} failed in Redis: ${error.message}`, { cause: error });
    return result;
  });
}
