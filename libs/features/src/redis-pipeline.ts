import type { ChainableCommander, Cluster } from 'ioredis';
import { RecstreamError, isCluster, type RedisClient } from '@recstream/platform';
import { keySlot } from './slots.js';

/** Runs a pipeline and returns its replies, throwing the first command error (ioredis returns them per command). */
export async function execPipeline(pipeline: ChainableCommander, what: string): Promise<unknown[]> {
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, result]) => {
    if (error) throw new RecstreamError(`${what} failed in Redis: ${error.message}`, { cause: error });
    return result;
  });
}

/** Commands queued on `commands`, sent together by `exec`. */
export interface CommandBatch {
  commands: ChainableCommander;
  /** The replies in order; throws the first command error, naming `what`. */
  exec(what: string): Promise<unknown[]>;
}

/**
 * A batch of commands: one pipeline on one Redis. A cluster's pipeline must
 * keep to one node, so there the commands are grouped by the node that
 * owns the slot of their first argument (every command batched here names
 * its key first) and each node's pipeline goes out at once, in parallel.
 * When a node answers MOVED (the client's slot map is stale, as after a
 * master restarts), the map is reloaded and the batch sent once more: the
 * commands batched here are reads and whole-value writes, safe to repeat.
 */
export function commandBatch(redis: RedisClient): CommandBatch {
  if (!isCluster(redis)) {
    const pipeline = redis.pipeline();
    return { commands: pipeline, exec: (what) => execPipeline(pipeline, what) };
  }
  const queued: [name: string, args: unknown[]][] = [];
  const commands: ChainableCommander = new Proxy({} as ChainableCommander, {
    get: (_, name) => (...args: unknown[]) => {
      queued.push([String(name), args]);
      return commands;
    },
  });
  const send = async (what: string) => {
    const replies = new Array<unknown>(queued.length);
    await Promise.all(
      groupByNode(redis, queued, ([, args]) => String(args[0])).map(async ({ items, at }) => {
        const pipeline = redis.pipeline();
        for (const [name, args] of items) (pipeline as unknown as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
        (await execPipeline(pipeline, what)).forEach((reply, i) => (replies[at[i]!] = reply));
      }),
    );
    return replies;
  };
  const exec = async (what: string) => {
    await loadSlotMap(redis);
    try {
      return await send(what);
    } catch (error) {
      if (!/\bMOVED\b/.test(String((error as Error).cause ?? error))) throw error;
      await refreshSlotMap(redis);
      return send(what);
    }
  };
  return { commands, exec };
}

/** `items` grouped by the node that serves the slot of each one's key, as the client's slot map says, with their positions in `items`. */
export function groupByNode<T>(redis: Cluster, items: readonly T[], keyOf: (item: T) => string): { items: T[]; at: number[] }[] {
  const byNode = new Map<string, { items: T[]; at: number[] }>();
  items.forEach((item, at) => {
    // A slot's nodes list its master first, where the client sends the command.
    const node = redis.slots[keySlot(keyOf(item))]?.[0] ?? '';
    let group = byNode.get(node);
    if (!group) byNode.set(node, (group = { items: [], at: [] }));
    group.items.push(item);
    group.at.push(at);
  });
  return [...byNode.values()];
}

/** Waits for the cluster's slot map, which arrives with the first connection. */
export async function loadSlotMap(redis: Cluster): Promise<void> {
  if (redis.slots.length === 0) await redis.ping();
}

/** Reloads the cluster's slot map, stale when a node answers that a key is not its own. */
export function refreshSlotMap(redis: Cluster): Promise<void> {
  return new Promise<void>((resolve, reject) => redis.refreshSlotsCache((failure) => (failure ? reject(failure) : resolve())));
}
