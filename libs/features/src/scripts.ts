import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/** The Lua scripts in `lua/`, each with a header listing its KEYS, ARGV and result. */
const source = (name: string) => readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');

export interface ScriptCommands {
  /** lua/apply-batch.lua: numkeys first, then keys and args. */
  applyBatch(numKeys: number, ...keysAndArgs: (string | number)[]): Promise<number>;
  /** lua/read-features.lua: numkeys first, then keys and args. */
  readFeatures(numKeys: number, ...keysAndArgs: string[]): Promise<(string | null)[][]>;
  /** lua/write-if-newer.lua. */
  writeIfNewer(key: string, view: string, eventTime: number, values: string, ttlMs: number): Promise<number>;
}

export type ScriptedRedis = Redis & ScriptCommands;

/** Defines the scripts on a client once (ioredis sends EVALSHA, falling back to EVAL). */
export function withScripts(redis: Redis): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.applyBatch !== 'function') {
    redis.defineCommand('applyBatch', { lua: source('apply-batch') });
    redis.defineCommand('writeIfNewer', { numberOfKeys: 1, lua: source('write-if-newer') });
    redis.defineCommand('readFeatures', { lua: source('read-features'), readOnly: true });
  }
  return scripted;
}
