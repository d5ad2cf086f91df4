import type pg from 'pg';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface PopularityOptions {
  /** Interactions older than this do not count, in ms. */
  windowMs: number;
  /** An interaction's weight halves every `halfLifeMs`. */
  halfLifeMs: number;
  /** Items kept per list. */
  listSize: number;
  /** How often the whole window is aggregated again (PopularityTracker); refreshes in between read only the last hour or so. */
  rebuildEveryMs: number;
}

export const DEFAULT_POPULARITY_OPTIONS: PopularityOptions = { windowMs: 7 * DAY_MS, halfLifeMs: DAY_MS, listSize: 500, rebuildEveryMs: HOUR_MS };

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

/** GROUPING bits: 2 = device rolled up, 1 = surface rolled up; both for an item's overall row. */
const OVERALL = 3;

/** One row of `aggregate`: an item overall (grouping 3), or per device (1) or per surface (2). */
interface RangeRow {
  item_id: string;
  device: string | null;
  surface: string | null;
  grouping: number;
  /** The interactions' weights decayed to the reference time. */
  mass: number;
  events: number;
  /** Interactions after the `since` time. */
  recent: number;
}

/*
 * Non-exposure interactions with event time in ($1, $2], per item overall,
 * per device and per surface in one scan (GROUPING SETS), each weighted
 * 0.5^((reference $3 - time) / half-life $4), with those after $5 counted
 * apart. Every item comes back overall (re-ranking boosts and the
 * exploration pool need them all), but per context only the heaviest $6:
 * the full per-context rows are five times as many. The exponent is float8:
 * extract() returns numeric, and numeric exp() dominated the query
 * (docs/decisions/incremental-catalog-popularity.md).
 */
const AGGREGATE_SQL = `
  WITH scored AS (
    SELECT item_id, context->>'device' AS device, context->>'surface' AS surface,
           GROUPING(context->>'device', context->>'surface')::int AS grouping,
           sum(exp(ln(0.5) * extract(epoch FROM (to_timestamp($3 / 1000.0) - event_time))::float8 * 1000 / $4::float8)) AS mass,
           count(*)::int AS events,
           count(*) FILTER (WHERE event_time > to_timestamp($5 / 1000.0))::int AS recent
      FROM event_log
     WHERE type <> 'exposure'
       AND event_time > to_timestamp($1 / 1000.0)
       AND event_time <= to_timestamp($2 / 1000.0)
     GROUP BY GROUPING SETS ((item_id), (item_id, context->>'device'), (item_id, context->>'surface'))
  )
  SELECT item_id, device, surface, grouping, mass, events, recent
    FROM (SELECT *, row_number() OVER (PARTITION BY grouping, device, surface ORDER BY mass DESC, item_id) AS rank FROM scored) ranked
   WHERE grouping = ${OVERALL} OR rank <= $6`;

/** Events this close to a rebuild are read again at every refresh: they may still be arriving, and trending needs the last hour's. */
const RESCANNED_MS = HOUR_MS;

/** The whole window aggregated at `at`, up to `at - RESCANNED_MS`; masses are decayed to `at`. */
interface Base {
  at: number;
  /** Every item's mass, and its interactions since `at - DAY_MS`. */
  overall: Map<string, { mass: number; day: number }>;
  /** Each context's heaviest items (twice `listSize`), by context key. */
  contextual: Map<string, Map<string, number>>;
}

/**
 * Popular and trending lists from the event log, kept current cheaply: every
 * `rebuildEveryMs` the whole window is aggregated (a scan of a week of
 * events), and each refresh in between adds only the events since an hour
 * before that rebuild and takes out those that have left the last day.
 * Reloading the whole window every minute in every serving process did not
 * scale with the log (docs/decisions/incremental-catalog-popularity.md).
 *
 * What the base leaves out until the next rebuild: events that arrive more
 * than an hour after their event time, events of erased users still in it,
 * and the (1/128-weight) week-old events that leave the window; and a
 * context's list can miss an item outside the base's top `2 * listSize` for
 * that context that the last hour alone would not carry into the list.
 */
export class PopularityTracker {
  private readonly options: PopularityOptions;
  private base?: Base;

  constructor(
    private readonly pool: pg.Pool,
    options: Partial<PopularityOptions> = {},
  ) {
    this.options = { ...DEFAULT_POPULARITY_OPTIONS, ...options };
  }

  async refresh(now = Date.now()): Promise<Popularity> {
    const o = this.options;
    if (!this.base || now - this.base.at >= o.rebuildEveryMs || now < this.base.at) this.base = await this.rebuild(now);
    const { base } = this;
    const recent = await this.aggregate(base.at - RESCANNED_MS, now, base.at, now - HOUR_MS, Number.MAX_SAFE_INTEGER);
    const leftTheDay = await this.aggregate(base.at - DAY_MS, now - DAY_MS, base.at, now, 0);

    const overall = new Map<string, { mass: number; day: number; hour: number }>();
    for (const [id, { mass, day }] of base.overall) overall.set(id, { mass, day, hour: 0 });
    const contextual = new Map([...base.contextual].map(([key, items]) => [key, new Map(items)]));
    for (const row of recent) {
      if (row.grouping === OVERALL) {
        const item = overall.get(row.item_id) ?? { mass: 0, day: 0, hour: 0 };
        item.mass += row.mass;
        item.day += row.events;
        item.hour = row.recent;
        overall.set(row.item_id, item);
        continue;
      }
      addToContext(contextual, row);
    }
    for (const row of leftTheDay) {
      const item = row.grouping === OVERALL ? overall.get(row.item_id) : undefined;
      if (item) item.day = Math.max(0, item.day - row.events);
    }
    return popularityLists(overall, contextual, 0.5 ** ((now - base.at) / o.halfLifeMs), o.listSize);
  }

  private async rebuild(at: number): Promise<Base> {
    const o = this.options;
    const rows = await this.aggregate(at - o.windowMs, at - RESCANNED_MS, at, at - DAY_MS, 2 * o.listSize);
    const base: Base = { at, overall: new Map(), contextual: new Map() };
    for (const row of rows) {
      if (row.grouping === OVERALL) {
        base.overall.set(row.item_id, { mass: row.mass, day: row.recent });
        continue;
      }
      addToContext(base.contextual, row);
    }
    return base;
  }

  private async aggregate(from: number, to: number, reference: number, since: number, perContext: number): Promise<RangeRow[]> {
    if (to <= from) return [];
    const { rows } = await this.pool.query<RangeRow>(AGGREGATE_SQL, [from, to, reference, this.options.halfLifeMs, since, perContext]);
    return rows;
  }
}

/** Adds a per-context row's mass to its context's list; interactions without that context field count overall only. */
function addToContext(contextual: Map<string, Map<string, number>>, row: RangeRow): void {
  const key = row.grouping === 1 && row.device ? contextKey('device', row.device) : row.grouping === 2 && row.surface ? contextKey('surface', row.surface) : undefined;
  if (!key) return;
  const items = contextual.get(key) ?? new Map<string, number>();
  items.set(row.item_id, (items.get(row.item_id) ?? 0) + row.mass);
  contextual.set(key, items);
}

function popularityLists(
  overall: ReadonlyMap<string, { mass: number; hour: number; day: number }>,
  contextual: ReadonlyMap<string, ReadonlyMap<string, number>>,
  decay: number,
  listSize: number,
): Popularity {
  const lists = new Map<string, ScoredItem[]>();
  for (const [key, items] of contextual) lists.set(key, top([...items].map(([id, mass]) => ({ id, score: mass * decay })), listSize));
  // A loop, not Math.max(...): spreading more than about 125,000 items overflows the call stack.
  let max = 0;
  const global: ScoredItem[] = [];
  const trending: ScoredItem[] = [];
  for (const [id, { mass, hour, day }] of overall) {
    if (mass > max) max = mass;
    global.push({ id, score: mass * decay });
    if (hour > 0) trending.push({ id, score: (hour + 1) / (day / 24 + 1) });
  }
  return {
    global: top(global, listSize),
    contextual: lists,
    trending: top(trending, listSize),
    normalized: new Map([...overall].map(([id, { mass }]) => [id, max > 0 ? mass / max : 0])),
  };
}

function top(items: ScoredItem[], n: number): ScoredItem[] {
  return items.sort((a, b) => b.score - a.score).slice(0, n);
}
