import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '@recstream/platform';

/**
 * The view catalogue: what a deployment sets about its feature views, the
 * windows their counts are kept over and each view's TTL (Feast's feature
 * repo plays this part). One catalogue per process, chosen at start with
 * `useViewCatalogue` before any store is used, so the feature builder, the
 * backfill, the rebuild, the samples' point-in-time join and serving's
 * online reads all read the same definition. Today's views are the default.
 */
export interface WindowSpec {
  /** The key the window's sums go under in view values, e.g. `7d`. */
  name: string;
  lengthMs: number;
  /** Counts are kept per bucket; a sum is exact to one bucket. Divides `lengthMs`. */
  bucketMs: number;
}

export interface ViewCatalogue {
  /** The windows of every windowed count (user activity, item stats), shortest first. */
  windows: readonly WindowSpec[];
  /** Per feature view: online keys expire this long after their last write, and point-in-time reads ignore older rows. */
  ttlMs: Readonly<Record<ViewName, number>>;
}

export const VIEW_NAMES = ['user_activity', 'user_sequence', 'user_profile', 'item_stats', 'item_attributes', 'item_covisit'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_VIEW_CATALOGUE: ViewCatalogue = {
  windows: [
    { name: '1h', lengthMs: HOUR, bucketMs: 5 * MINUTE },
    { name: '24h', lengthMs: DAY, bucketMs: HOUR },
    { name: '7d', lengthMs: 7 * DAY, bucketMs: 6 * HOUR },
  ],
  ttlMs: {
    user_activity: 8 * DAY,
    user_sequence: 30 * DAY,
    user_profile: 90 * DAY,
    item_stats: 8 * DAY,
    // Attributes hold until the catalogue replaces them: catalogues stamp items at creation, often years back, and a
    // shorter TTL made the point-in-time join miss what the online store (TTL from its write) still served.
    item_attributes: 5 * 365 * DAY,
    item_covisit: 8 * DAY,
  },
};

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY, y: 365 * DAY };

/** A duration as milliseconds or a string such as `90m`, `24h`, `7d`, `10y`. */
const duration = z.unknown().transform((value, ctx) => {
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m|h|d|w|y)$/.exec(value) : null;
  const ms = match ? Number(match[1]) * UNITS[match[2]!]! : value;
  if (typeof ms === 'number' && Number.isSafeInteger(ms) && ms > 0) return ms;
  ctx.addIssue({ code: 'custom', message: 'must be a positive whole number of milliseconds or a number with a unit (ms, s, m, h, d, w, y), e.g. "7d"' });
  return z.NEVER;
});

const windowSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]{1,16}$/, 'must be 1-16 lowercase letters, digits or _'),
  length: duration,
  bucket: duration,
});

const catalogueSchema = z
  .strictObject({
    windows: z.array(windowSchema).min(1, 'needs at least one window').max(8, 'holds at most 8 windows').optional(),
    ttl: z.partialRecord(z.enum(VIEW_NAMES), duration).optional(),
  })
  .superRefine((input, ctx) => {
    const seen = new Set<string>();
    input.windows?.forEach((window, i) => {
      if (window.length % window.bucket !== 0) ctx.addIssue({ code: 'custom', path: ['windows', i, 'bucket'], message: `must divide the window's length (${window.length} ms)` });
      if (seen.has(window.name)) ctx.addIssue({ code: 'custom', path: ['windows', i, 'name'], message: `${window.name} is named twice` });
      seen.add(window.name);
    });
  });

/**
 * A catalogue from its JSON text (`source` names where it came from, for
 * errors): `windows` replaces the default windows when given; `ttl` sets
 * the views it names and leaves the others at their defaults. Throws a
 * ConfigError that lists each field that is wrong and why.
 */
export function parseViewCatalogue(text: string, source: string): ViewCatalogue {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: the view catalogue is not JSON (${(error as Error).message})`);
  }
  const result = catalogueSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(top level)'}: ${issue.message}`).join('\n');
    throw new ConfigError(`${source}: invalid view catalogue; fix these fields and start again:\n${problems}`);
  }
  const { windows, ttl } = result.data;
  return {
    windows: windows?.map((w) => ({ name: w.name, lengthMs: w.length, bucketMs: w.bucket })) ?? DEFAULT_VIEW_CATALOGUE.windows,
    ttlMs: { ...DEFAULT_VIEW_CATALOGUE.ttlMs, ...ttl },
  };
}

/** The settings that choose a catalogue: a JSON file, inline JSON, or neither (the default). */
export const viewCatalogueEnv = {
  FEATURE_VIEWS_FILE: z.string().optional(),
  FEATURE_VIEWS: z.string().optional(),
};

/** The catalogue the settings choose; both set is refused, as one would silently win. */
export function viewCatalogueFrom(env: { FEATURE_VIEWS_FILE?: string | undefined; FEATURE_VIEWS?: string | undefined }): ViewCatalogue {
  if (env.FEATURE_VIEWS_FILE && env.FEATURE_VIEWS) throw new ConfigError('set FEATURE_VIEWS_FILE or FEATURE_VIEWS, not both');
  if (env.FEATURE_VIEWS) return parseViewCatalogue(env.FEATURE_VIEWS, 'FEATURE_VIEWS');
  if (!env.FEATURE_VIEWS_FILE) return DEFAULT_VIEW_CATALOGUE;
  let text: string;
  try {
    text = readFileSync(env.FEATURE_VIEWS_FILE, 'utf8');
  } catch (error) {
    throw new ConfigError(`FEATURE_VIEWS_FILE: cannot read ${env.FEATURE_VIEWS_FILE} (${(error as Error).message})`);
  }
  return parseViewCatalogue(text, `FEATURE_VIEWS_FILE ${env.FEATURE_VIEWS_FILE}`);
}

let active: ViewCatalogue = DEFAULT_VIEW_CATALOGUE;

/** Makes `catalogue` the process's view catalogue; call once at start, before any store is used. */
export function useViewCatalogue(catalogue: ViewCatalogue): void {
  active = catalogue;
}

export const viewCatalogue = (): ViewCatalogue => active;
