import { readFileSync } from 'node:fs';
import type { RedisClient } from '@recstream/platform';

/** The Lua scripts in `lua/`, each with a header listing its KEYS, ARGV and result. */
const source = (name: string) => readFileSync(new URL(`../lua/${name}.lua`, import.meta.url), 'utf8');
/** Scripts that read or write feature rows start with the row functions. */
const withRows = (name: string) => `${source('feature-row')}\n${source(name)}`;

export interface ScriptCommands {
  /** lua/apply-batch.lua: numkeys, then one array of the keys and then the args. */
  applyBatch(numKeys: number, keysAndArgs: (string | number)[]): Promise<number>;
  /** lua/write-if-newer.lua. */
  writeIfNewer(stateKey: string, rowKey: string, view: string, eventTime: number, segment: number, segments: number, values: string, ttlMs: number): Promise<number>;
  /** lua/read-user-covisits.lua. */
  readUserCovisits(rowKey: string, covisitPrefix: string, segments: number, sequenceSegment: number, seeds: number, perSeed: number): Promise<(string | null | string[])[]>;
  /** lua/read-rows.lua: rows of one cluster node, `firstKey`'s and then `otherKeys`'. */
  readRows(firstKey: string, ...otherKeys: string[]): Promise<(string | null)[]>;
}

export type ScriptedRedis = RedisClient & ScriptCommands;

/** Defines the scripts on a client once (ioredis sends EVALSHA, falling back to EVAL). */
export function withScripts(redis: RedisClient): ScriptedRedis {
  const scripted = redis as ScriptedRedis;
  if (typeof scripted.applyBatch !== 'function') {
    redis.defineCommand('applyBatch', { lua: withRows('apply-batch') });
    redis.defineCommand('writeIfNewer', { numberOfKeys: 2, lua: withRows('write-if-newer') });
    redis.defineCommand('readUserCovisits', { numberOfKeys: 1, lua: withRows('read-user-covisits') });
    // Its first line declares the script's flags, so nothing may come before it.
    redis.defineCommand('readRows', { numberOfKeys: 1, lua: source('read-rows') });
  }
  return scripted;
}
