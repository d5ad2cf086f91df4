import type { RedisClient } from '@recstream/platform';
import type pg from 'pg';
import { NonRetriableError, type Logger } from '@recstream/platform';
import { DEFAULT_MAX_FUTURE_SKEW_MS, deadLetterFor, validateEvent, type DeadLetter, type InteractionEvent, type ItemEvent, type UserEvent } from '@recstream/schemas';
import { DEFAULT_AGGREGATION_OPTIONS, NO_CONTENT, type AggregationOptions, type ItemContent } from './entity-state.js';
import { BatchFold } from './batch-fold.js';
import { upsertView } from './upserts.js';
import { CopyLines, EVENT_LOG_COPY, HISTORY_COPY, copyWriter, eventLogLine, historyLine, type CopyWriter } from './copy.js';
import type { DeadLetterSink } from './interactions.js';
import { OfflineStore, type HistoryRow } from './offline-store.js';
import { ensurePartitions } from './partitions.js';
import { rebuildFromOffline, type RebuildReport } from './rebuild.js';
import { SortedRuns } from './sorted-runs.js';
import { DEFAULT_FEATURE_NAMESPACE, FEATURE_VIEWS, itemAttributes, type ItemAttributes } from './views.js';

export const BACKFILL_DEAD_LETTER_SOURCE = 'backfill';

export interface BackfillOptions extends AggregationOptions {
  /** The feature namespace whose online store is rebuilt afterwards (Redis prefix, offsets namespace). */
  namespace: string;
  /** Replace what the event log and feature history already hold in the input's time range instead of refusing. */
  rebuild: boolean;
  /** As at the ingester: an event dated this far past the backfill's clock is rejected. */
  maxFutureSkewMs: number;
  /** Events per COPY chunk and per progress report. */
  chunkEvents: number;
  /** Interactions sorted in memory at once; a longer input is sorted in runs of this many on disk, then merged. */
  runEvents: number;
  /** Dead letters sent at once. */
  deadLetterBatch: number;
}

export const DEFAULT_BACKFILL_OPTIONS: BackfillOptions = {
  ...DEFAULT_AGGREGATION_OPTIONS,
  namespace: DEFAULT_FEATURE_NAMESPACE,
  rebuild: false,
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  chunkEvents: 5_000,
  runEvents: 200_000,
  deadLetterBatch: 1_000,
};

/** One input record: the decoded value, or why it could not be decoded (a line that is not JSON or not a rating). */
export type BackfillRecord = { ok: true; value: unknown } | { ok: false; reason: string; raw: string };

export interface BackfillProgress {
  step: 'read' | 'partitions' | 'load' | 'rebuild';
  done: number;
  total: number;
  elapsedMs: number;
}

export interface BackfillDeps {
  pool: pg.Pool;
  redis: RedisClient;
  logger: Logger;
  sendDeadLetters: DeadLetterSink;
  onProgress?: (progress: BackfillProgress) => void;
  /** The clock events are validated against, as the ingester's request time. */
  now?: () => number;
}

export interface BackfillReport {
  /** Interactions loaded into the event log. */
  events: number;
  /** Item and user upserts written to feature history. */
  catalog: number;
  /** Records dead-lettered, with their reasons. */
  rejected: number;
  /** Valid interactions with the event id and time of one before them in the input: loaded once. */
  duplicates: number;
  /** Event time of the first and the last interaction. */
  range: { from: string; to: string } | null;
  /** Monthly partitions of event_log and feature_history that exist for the range. */
  partitions: number;
  /** History rows written per feature view. */
  feature_history: Record<string, number>;
  /** Seconds to load the event log and feature history, and the interactions per second of that. */
  load_seconds: number;
  events_per_second: number;
  online: Pick<RebuildReport, 'deletedKeys' | 'events' | 'entities'>;
  seconds: number;
}

/** The input's range is in the stores already; `--rebuild` replaces it. */
export class RangeAlreadyBuiltError extends NonRetriableError {}

interface ReadInput {
  /** Valid interactions read, repeats included. */
  interactions: number;
  /** Event time of the first and the last of them. */
  range: { from: number; to: number } | undefined;
  catalog: (ItemEvent | UserEvent)[];
  rejected: number;
}

/** Views whose history the interactions compute: a rebuilt range loses exactly these rows. */
const INTERACTION_HISTORY_VIEWS = FEATURE_VIEWS.filter((view) => view.source === 'events' && view.offline === 'history').map((view) => view.name);

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The batch path for history: validates every record as the ingester does
 * (dead-lettering the rest with reasons), loads the interactions into the
 * event log with COPY in event-time order, computes feature history with the
 * nearline builder's own aggregation over the whole range in one pass (so a
 * history row is each entity's values as of its latest event in each
 * history interval, as a time-ordered stream computes them), writes the
 * catalogue upserts' history, then rebuilds the namespace's online store
 * from the offline store. Input may come in any order: the interactions
 * are sorted in runs on disk (`runEvents` at a time in memory) and merged
 * as they load; the catalogue upserts are held in memory.
 */
export async function backfill(deps: BackfillDeps, records: AsyncIterable<BackfillRecord> | Iterable<BackfillRecord>, options: Partial<BackfillOptions> = {}): Promise<BackfillReport> {
  const opts = { ...DEFAULT_BACKFILL_OPTIONS, ...options };
  const started = performance.now();
  const progress = (step: BackfillProgress['step'], done: number, total: number) => deps.onProgress?.({ step, done, total, elapsedMs: performance.now() - started });
  const runs = new SortedRuns(opts.runEvents);
  const { input, events, loadSeconds, featureHistory, partitions } = await load(deps, records, opts, runs, progress).finally(() => runs.remove());
  const range = input.range;

  // The rebuild replays the whole event log, the backfilled range and whatever else it holds.
  progress('rebuild', 0, 0);
  const onReplayed = (events: number) => {
    if (events % (opts.chunkEvents * 20) === 0) progress('rebuild', events, 0);
  };
  const rebuilt = await rebuildFromOffline({ redis: deps.redis, pool: deps.pool, logger: deps.logger, onReplayed }, { ...aggregationOptions(opts), namespace: opts.namespace });
  progress('rebuild', rebuilt.events, rebuilt.events);
  return {
    events,
    catalog: input.catalog.length,
    rejected: input.rejected,
    duplicates: runs.duplicates,
    range: range ? { from: iso(range.from), to: iso(range.to) } : null,
    partitions: partitions.length,
    feature_history: featureHistory,
    load_seconds: round(loadSeconds),
    events_per_second: loadSeconds > 0 ? Math.round(events / loadSeconds) : 0,
    online: { deletedKeys: rebuilt.deletedKeys, events: rebuilt.events, entities: rebuilt.entities },
    seconds: round((performance.now() - started) / 1000),
  };
}

/** Reads the input into the sort, then creates the partitions and loads the catalogue, the event log and feature history. */
async function load(
  deps: BackfillDeps,
  records: AsyncIterable<BackfillRecord> | Iterable<BackfillRecord>,
  opts: BackfillOptions,
  runs: SortedRuns,
  progress: (step: BackfillProgress['step'], done: number, total: number) => void,
): Promise<{ input: ReadInput; events: number; loadSeconds: number; featureHistory: Record<string, number>; partitions: string[] }> {
  const input = await readInput(records, deps, opts, runs, (done) => progress('read', done, 0));
  const { range, catalog } = input;
  if (range) await checkRange(deps.pool, range, opts.rebuild);
  const span = catalog.reduce((s, e) => ({ from: Math.min(s.from, e.event_time), to: Math.max(s.to, e.event_time) }), range ?? { from: Infinity, to: -Infinity });
  progress('partitions', 0, 0);
  const partitions = span.from <= span.to ? await ensurePartitions(deps.pool, span.from, span.to, { moveDefaultRows: true }) : [];
  progress('partitions', partitions.length, partitions.length);

  const offline = new OfflineStore(deps.pool, { namespace: opts.namespace });
  const catalogRows = newestCatalogRows(catalog);
  const featureHistory: Record<string, number> = {};
  for (const row of catalogRows) featureHistory[row.view] = (featureHistory[row.view] ?? 0) + 1;
  const total = input.interactions;
  progress('load', 0, total);
  const loadStarted = performance.now();
  // Catalogue first, as the stream takes it: per-category and per-tag user counts read the items' content.
  await offline.writeBatch({ events: [], history: catalogRows });
  const contents = await latestContents(offline);
  const fold = new BatchFold(opts, undefined, (itemId) => contents.get(itemId) ?? NO_CONTENT);
  const replace = range && opts.rebuild ? range : undefined;
  const events = await loadLogAndHistory(deps.pool, runs.merged(opts.chunkEvents), fold, featureHistory, replace, (done) => progress('load', done, total));
  return { input, events, loadSeconds: (performance.now() - loadStarted) / 1000, featureHistory, partitions };
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

function aggregationOptions(opts: BackfillOptions): AggregationOptions {
  const { sequenceLength, sessionGapMs, maxSessionClicks, maxCategories, maxTags, ctrPrior, ctrStrength, historyIntervalMs } = opts;
  return { sequenceLength, sessionGapMs, maxSessionClicks, maxCategories, maxTags, ctrPrior, ctrStrength, historyIntervalMs };
}

/** Validates every record against the backfill's clock, dead-letters the invalid ones, adds the interactions to the sort. */
async function readInput(
  records: AsyncIterable<BackfillRecord> | Iterable<BackfillRecord>,
  deps: BackfillDeps,
  opts: BackfillOptions,
  runs: SortedRuns,
  onRead: (done: number) => void,
): Promise<ReadInput> {
  const arrival = { arrivedAt: (deps.now ?? Date.now)(), maxFutureSkewMs: opts.maxFutureSkewMs };
  const result: ReadInput = { interactions: 0, range: undefined, catalog: [], rejected: 0 };
  let letters: DeadLetter[] = [];
  const flush = async () => {
    if (letters.length === 0) return;
    const batch = letters;
    letters = [];
    await deps.sendDeadLetters(batch);
  };
  let read = 0;
  for await (const record of records) {
    if (++read % (opts.chunkEvents * 20) === 0) onRead(read);
    const validation = record.ok ? validateEvent(record.value, arrival) : { ok: false as const, reasons: [record.reason] };
    if (!validation.ok) {
      result.rejected++;
      letters.push(deadLetterFor(validation.reasons, BACKFILL_DEAD_LETTER_SOURCE, record.ok ? record.value : record.raw));
      if (letters.length >= opts.deadLetterBatch) await flush();
      continue;
    }
    const event = validation.event;
    if (event.type === 'item' || event.type === 'user') {
      result.catalog.push(event);
      continue;
    }
    result.interactions++;
    const time = event.event_time;
    if (!result.range) result.range = { from: time, to: time };
    else if (time < result.range.from) result.range.from = time;
    else if (time > result.range.to) result.range.to = time;
    await runs.add(event);
  }
  await flush();
  if (read % (opts.chunkEvents * 20) !== 0) onRead(read);
  return result;
}

/** Refuses a range the event log or the interaction views' history already holds, unless it is to be rebuilt. */
async function checkRange(pool: pg.Pool, range: { from: number; to: number }, rebuild: boolean): Promise<void> {
  if (rebuild) return;
  const { rows } = await pool.query<{ events: number; history: number }>(
    `SELECT (SELECT count(*)::int FROM event_log WHERE event_time BETWEEN $1 AND $2) AS events,
            (SELECT count(*)::int FROM feature_history WHERE event_time BETWEEN $1 AND $2 AND feature_view = ANY($3::text[])) AS history`,
    [iso(range.from), iso(range.to), INTERACTION_HISTORY_VIEWS],
  );
  const { events, history } = rows[0]!;
  if (events === 0 && history === 0) return;
  throw new RangeAlreadyBuiltError(
    `[${iso(range.from)}, ${iso(range.to)}] is already built: event_log holds ${events} events and feature_history ${history} rows of ` +
      `${INTERACTION_HISTORY_VIEWS.join(', ')} in it. Pass --rebuild to delete them and load this input in their place.`,
    { context: { from: iso(range.from), to: iso(range.to), events, history } },
  );
}

/** One history row per catalogue upsert, the last one of a repeated (view, entity, time). */
function newestCatalogRows(catalog: readonly (ItemEvent | UserEvent)[]): HistoryRow[] {
  const rows = new Map<string, HistoryRow>();
  for (const write of catalog.map(upsertView)) {
    rows.set(`${write.view}\u0000${write.id}\u0000${write.eventTime}`, { view: write.view, entityId: write.id, eventTime: write.eventTime, values: write.values });
  }
  return [...rows.values()];
}

/** Each item's content from its latest attributes in feature history, as the stream reads them from the online store. */
async function latestContents(offline: OfflineStore): Promise<Map<string, ItemContent>> {
  return new Map((await offline.latest(itemAttributes)).map((row) => [row.entityId, row.values as ItemAttributes]));
}

/**
 * COPYs the sorted interactions into event_log and, folding them with the
 * stream's BatchFold as they go, the history of the intervals they close
 * (then every entity's last) into feature_history: two connections at once,
 * each in its own transaction (with `replace`, after deleting the range's
 * rows), both committed once both have loaded. Counts history rows per view
 * into `counts`; resolves with the interactions loaded.
 */
async function loadLogAndHistory(
  pool: pg.Pool,
  sorted: AsyncIterable<InteractionEvent[]>,
  fold: BatchFold,
  counts: Record<string, number>,
  replace: { from: number; to: number } | undefined,
  onChunk: (done: number) => void,
): Promise<number> {
  const log = await pool.connect();
  const features = await pool.connect();
  const copies: CopyWriter[] = [];
  let loaded = 0;
  try {
    await Promise.all([log.query('BEGIN'), features.query('BEGIN')]);
    if (replace) {
      await Promise.all([
        log.query('DELETE FROM event_log WHERE event_time BETWEEN $1 AND $2', [iso(replace.from), iso(replace.to)]),
        features.query('DELETE FROM feature_history WHERE event_time BETWEEN $1 AND $2 AND feature_view = ANY($3::text[])', [
          iso(replace.from),
          iso(replace.to),
          INTERACTION_HISTORY_VIEWS,
        ]),
      ]);
    }
    const [logCopy, historyCopy] = [copyWriter(log, EVENT_LOG_COPY), copyWriter(features, HISTORY_COPY)];
    copies.push(logCopy, historyCopy);
    const [logLines, historyLines] = [new CopyLines(), new CopyLines()];
    for await (const batch of sorted) {
      for (const event of batch) {
        fold.apply(event);
        logLines.add(eventLogLine(event));
      }
      addHistory(historyLines, fold.takeClosedHistory(), counts);
      // Postgres takes the last chunk's rows while the next is computed; waiting only when it is a buffer behind.
      await Promise.all([logCopy.write(logLines.take()), historyCopy.write(historyLines.take())]);
      loaded += batch.length;
      onChunk(loaded);
    }
    addHistory(historyLines, fold.writes().history, counts);
    await historyCopy.write(historyLines.take());
    await Promise.all([logCopy.end(), historyCopy.end()]);
    await log.query('COMMIT');
    await features.query('COMMIT');
    return loaded;
  } catch (error) {
    for (const copy of copies) copy.abort(error as Error);
    await Promise.allSettled([log.query('ROLLBACK'), features.query('ROLLBACK')]);
    throw error;
  } finally {
    log.release();
    features.release();
  }
}

/**
 * Adds history rows to the COPY's lines in event-time order, counted per
 * view into `counts`. A chunk closes rows of many months; in time order a
 * month's rows come together, and COPY inserts a partition's rows in
 * batches while they come in a run.
 */
function addHistory(lines: CopyLines, rows: HistoryRow[], counts: Record<string, number>): void {
  rows.sort((a, b) => a.eventTime - b.eventTime);
  for (const row of rows) {
    counts[row.view] = (counts[row.view] ?? 0) + 1;
    lines.add(historyLine(row));
  }
}
