import type pg from 'pg';

export interface PopularityOptions {
  /** Interactions older than this do not count, in ms. */
  windowMs: number;
  /** An interaction's weight halves every `halfLifeMs`. */
  halfLifeMs: number;
  /** Items kept per list. */
  listSize: number;
}

export const DEFAULT_POPULARITY_OPTIONS: PopularityOptions = { windowMs: 7 * 86_400_000, halfLifeMs: 86_400_000, listSize: 500 };

export interface ScoredItem {
  id: string;
  score: number;
}

/** Popular and trending lists, overall and per context value. */
export interface Popularity {
  global: ScoredItem[];
  /** Keyed `device:mobile`, `surface:home`. */
  contextual: Map<string, ScoredItem[]>;
  /** Last hour's interactions against the day's hourly mean. */
  trending: ScoredItem[];
  /** Decayed popularity of every item with interactions in the window, divided by the largest (0..1). */
  normalized: Map<string, number>;
}

export const EMPTY_POPULARITY: Popularity = { global: [], contextual: new Map(), trending: [], normalized: new Map() };

export const contextKey = (field: 'device' | 'surface', value: string) => `${field}:${value}`;

interface Row {
  item_id: string;
  device: string | null;
  surface: string | null;
  grouping: number;
  popularity: number;
  last_hour: number;
  last_day: number;
}

/**
 * Popular lists from the event log: every non-exposure interaction of the
 * window, exponentially decayed, grouped overall, per device and per surface
 * in one scan (GROUPING SETS), so cold-start users get lists for their context.
 * Every item comes back overall (re-ranking boosts and the exploration pool
 * need them all), but only each context's top `listSize`: a process reloads
 * this every minute, and the full per-context rows were five times as many.
 */
export async function loadPopularity(pool: pg.Pool, options: Partial<PopularityOptions> = {}, now = Date.now()): Promise<Popularity> {
  const o = { ...DEFAULT_POPULARITY_OPTIONS, ...options };
  const { rows } = await pool.query<Row>(
    `WITH scored AS (
       SELECT item_id, context->>'device' AS device, context->>'surface' AS surface,
              GROUPING(context->>'device', context->>'surface')::int AS grouping,
              sum(exp(ln(0.5) * extract(epoch FROM (to_timestamp($1 / 1000.0) - event_time)) * 1000 / $2))::float8 AS popularity,
              count(*) FILTER (WHERE event_time > to_timestamp(($1 - 3600000) / 1000.0))::int AS last_hour,
              count(*) FILTER (WHERE event_time > to_timestamp(($1 - 86400000) / 1000.0))::int AS last_day
         FROM event_log
        WHERE type <> 'exposure'
          AND event_time > to_timestamp(($1 - $3) / 1000.0)
          AND event_time <= to_timestamp($1 / 1000.0)
        GROUP BY GROUPING SETS ((item_id), (item_id, context->>'device'), (item_id, context->>'surface'))
     )
     SELECT item_id, device, surface, grouping, popularity, last_hour, last_day
       FROM (SELECT *, row_number() OVER (PARTITION BY grouping, device, surface ORDER BY popularity DESC, item_id) AS rank FROM scored) ranked
      WHERE grouping = 3 OR rank <= $4`,
    [now, o.halfLifeMs, o.windowMs, o.listSize],
  );
  // GROUPING bits: 2 = device rolled up, 1 = surface rolled up.
  const overall = rows.filter((row) => row.grouping === 3);
  const contextual = new Map<string, ScoredItem[]>();
  for (const row of rows) {
    const key = row.grouping === 1 && row.device ? contextKey('device', row.device) : row.grouping === 2 && row.surface ? contextKey('surface', row.surface) : undefined;
    if (!key) continue;
    const list = contextual.get(key) ?? [];
    list.push({ id: row.item_id, score: row.popularity });
    contextual.set(key, list);
  }
  for (const [key, list] of contextual) contextual.set(key, top(list, o.listSize));
  // A loop, not Math.max(...): spreading more than about 125,000 items overflows the call stack.
  let max = 0;
  for (const row of overall) if (row.popularity > max) max = row.popularity;
  return {
    global: top(overall.map((row) => ({ id: row.item_id, score: row.popularity })), o.listSize),
    contextual,
    trending: top(
      overall.filter((row) => row.last_hour > 0).map((row) => ({ id: row.item_id, score: (row.last_hour + 1) / (row.last_day / 24 + 1) })),
      o.listSize,
    ),
    normalized: new Map(overall.map((row) => [row.item_id, max > 0 ? row.popularity / max : 0])),
  };
}

function top(items: ScoredItem[], n: number): ScoredItem[] {
  return items.sort((a, b) => b.score - a.score).slice(0, n);
}
