/**
 * The flags `npm run demo` and `npm run bench:quality` share: the world
 * (every WorldOptions field but `start`, which is set so the world ends
 * today) and the loop (rounds, users per round, training epochs). A
 * mistyped flag or value stops the command with the flag named.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_WORLD_OPTIONS, type WorldOptions } from '@recstream/synth';

export type WorldFlags = Omit<WorldOptions, 'start'>;

export interface LoopOptions {
  world: WorldFlags;
  /** Rounds of simulated users asking for lists and clicking, with the online updater learning. */
  rounds: number;
  /** The world's first users, each asking for one list per round. */
  roundUsers: number;
  /** Upper bounds; early stopping may end training sooner. */
  recallEpochs: number;
  rankingEpochs: number;
}

/** Synth's defaults without `start`: the commands set it so the world ends today. */
const worldDefaults = Object.fromEntries(Object.entries(DEFAULT_WORLD_OPTIONS).filter(([key]) => key !== 'start')) as WorldFlags;

/**
 * How long the loop's online updater waits for an exposure's click before it
 * is a ranking negative: simulated users click as soon as they get a list,
 * and all the rounds together take less than the production wait, under
 * which the online ranker would learn from clicks alone
 * (docs/decisions/quality-paired-comparison.md).
 */
export const LOOP_NEGATIVE_AFTER_MS = 5_000;

/** The demo's: a world and training small enough to run within minutes on 2 cores. */
export const DEFAULT_LOOP_OPTIONS: LoopOptions = {
  world: { ...worldDefaults, users: 500, items: 800, days: 4, seed: 42 },
  rounds: 3,
  roundUsers: 300,
  recallEpochs: 8,
  rankingEpochs: 3,
};

const number = () => z.coerce.number({ error: 'must be a number' }).finite('must be a number');
const whole = number().int('must be a whole number');
const count = whole.positive('must be above 0');

/** Each world flag, the option it sets and the values it takes. */
const WORLD_FLAGS = {
  seed: { key: 'seed', schema: whole },
  users: { key: 'users', schema: count },
  items: { key: 'items', schema: count },
  categories: { key: 'categories', schema: count },
  dim: { key: 'dim', schema: count },
  days: { key: 'days', schema: count },
  'sessions-per-day': { key: 'sessionsPerUserPerDay', schema: number().positive('must be above 0') },
  'lists-per-session': { key: 'listsPerSession', schema: count },
  'list-size': { key: 'listSize', schema: count },
  zipf: { key: 'zipfExponent', schema: number().min(0, 'must be 0 or more') },
  drift: { key: 'tasteDrift', schema: number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1') },
  'new-item-share': { key: 'newItemShare', schema: number().min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1') },
  tags: { key: 'tagsPerItem', schema: whole.min(0, 'must be 0 or more') },
} as const satisfies Record<string, { key: keyof WorldFlags; schema: z.ZodType<number, unknown> }>;

const LOOP_FLAGS = {
  rounds: 'rounds',
  'round-users': 'roundUsers',
  'recall-epochs': 'recallEpochs',
  'ranking-epochs': 'rankingEpochs',
} as const satisfies Record<string, Exclude<keyof LoopOptions, 'world'>>;

/** Every flag, as `--name`, for messages and help. */
export const LOOP_FLAG_NAMES = [...Object.keys(WORLD_FLAGS), ...Object.keys(LOOP_FLAGS)].map((name) => `--${name}`);

/** Reads the flags in `argv` over `defaults`; throws an error naming the flag for an unknown flag or a bad value. */
export function parseLoopOptions(argv: readonly string[], defaults: LoopOptions = DEFAULT_LOOP_OPTIONS): LoopOptions {
  let values: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries([...Object.keys(WORLD_FLAGS), ...Object.keys(LOOP_FLAGS)].map((name) => [name, { type: 'string' as const }]));
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as { values: Record<string, string | undefined> });
  } catch (error) {
    // parseArgs names the flag in its first sentence; the rest is about positionals, which these commands take none of.
    throw new Error(`${(error as Error).message.split('. ')[0]}; the flags are ${LOOP_FLAG_NAMES.join(', ')}`);
  }
  const read = (flag: string, schema: z.ZodType<number, unknown>): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`--${flag} ${parsed.error.issues[0]!.message}, got '${raw}'`);
    return parsed.data;
  };
  const world = { ...defaults.world };
  for (const [flag, { key, schema }] of Object.entries(WORLD_FLAGS)) world[key] = read(flag, schema) ?? world[key];
  const options: LoopOptions = { ...defaults, world };
  for (const [flag, key] of Object.entries(LOOP_FLAGS)) options[key] = read(flag, count) ?? options[key];
  if (options.roundUsers > world.users) throw new Error(`--round-users (${options.roundUsers}) must be at most --users (${world.users})`);
  return options;
}
