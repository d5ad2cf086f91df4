import { applyDelta, deltaRows, type ModelDelta } from '@recstream/models';
import type { DeltaChannel, DeltaEntry } from '@recstream/deltas';
import { deltaStartId, lineageKey } from '@recstream/deltas';
import type { Logger } from '@recstream/platform';
import { HnswIndex, type HnswOptions } from '../ann/hnsw-index.js';
import type { Catalog, CatalogItem } from '../catalog.js';
import type { ServingMetrics } from '../metrics.js';
import { upsertItems, type ServedModel, type ServedRecall } from './served-model.js';

export interface DeltaFollowerOptions {
  /** Settings of indexes rebuilt when upserted item vectors outgrow the norm headroom. */
  hnsw: Partial<HnswOptions>;
  /** How long one blocking read waits for new deltas before looking again at what is in production. */
  blockMs: number;
  /** Most entries read at once. */
  batchEntries: number;
  /** An item a delta names but the catalogue lacks triggers a catalogue reload at most this often. */
  catalogReloadMs: number;
}

export const DEFAULT_DELTA_FOLLOWER_OPTIONS: DeltaFollowerOptions = { hnsw: {}, blockMs: 1_000, batchEntries: 200, catalogReloadMs: 2_000 };

export interface DeltaFollowerDeps {
  /** For catching up when a version loads. */
  channel: DeltaChannel;
  /** On a connection of its own: it blocks while waiting. */
  blockingChannel: DeltaChannel;
  /** The production models deltas apply to. */
  production: () => ServedModel[];
  catalog: () => Catalog | undefined;
  reloadCatalog: () => Promise<void>;
  logger: Logger;
  metrics: ServingMetrics;
  /** Strips erased users' rows from a delta before it applies. */
  erasures?: { filter(delta: ModelDelta): ModelDelta };
}

/**
 * Applies the online updater's deltas to the production models serving
 * holds: embedding rows (and dense weights) overwritten in place, and for
 * recall the changed item vectors moved in the HNSW index, with items the
 * model just learned added to it (after a catalogue reload when the
 * catalogue does not have them yet). A version being loaded first catches
 * up on every delta published after it was snapshotted (`catchUp`); then
 * a blocking read delivers each new delta as it is published.
 */
export class DeltaFollower {
  private readonly options: DeltaFollowerOptions;
  /** The last entry applied to each served model. */
  private readonly cursors = new WeakMap<ServedModel, string>();
  /** Items deltas named that the catalogue lacked, per recall model, retried when the catalogue changes. */
  private readonly missing = new WeakMap<ServedRecall, Set<number>>();
  /** Recall models whose index is being rebuilt, with the items upserted meanwhile (the new index gets them too). */
  private readonly rebuilding = new WeakMap<ServedRecall, Set<number>>();
  private catalogSeen?: Catalog;
  private lastCatalogReload = 0;
  private catalogReload?: NodeJS.Timeout;
  private lastWarned = 0;
  private running?: Promise<void>;
  private closed = false;

  constructor(
    private readonly deps: DeltaFollowerDeps,
    options: Partial<DeltaFollowerOptions> = {},
  ) {
    this.options = { ...DEFAULT_DELTA_FOLLOWER_OPTIONS, ...options };
  }

  /** Applies every delta published after `served`'s version was snapshotted; a Redis failure leaves the rest to the follow loop. */
  async catchUp(served: ServedModel): Promise<void> {
    let cursor = deltaStartId(served.version);
    const key = lineageKey(served.version);
    try {
      for (;;) {
        const entries = await this.deps.channel.read(key, cursor, this.options.batchEntries);
        this.apply(served, entries);
        cursor = entries.at(-1)?.id ?? cursor;
        if (entries.length < this.options.batchEntries) break;
      }
    } catch (error) {
      this.warn(error, 'catching up on online deltas failed; following continues from where it stopped');
    } finally {
      if (!this.cursors.has(served)) this.cursors.set(served, cursor);
    }
  }

  /** Starts following; deltas for production models apply as they arrive until `close()`. */
  start(): void {
    this.running ??= this.follow();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.catalogReload);
    await this.running;
  }

  private async follow(): Promise<void> {
    while (!this.closed) {
      const production = this.deps.production();
      this.retryMissing(production);
      if (production.length === 0) {
        await sleep(this.options.blockMs);
        continue;
      }
      const after = new Map(production.map((served) => [lineageKey(served.version), this.cursorOf(served)]));
      let read: Map<string, DeltaEntry[]>;
      try {
        read = await this.deps.blockingChannel.follow(after, this.options.blockMs, this.options.batchEntries);
      } catch (error) {
        if (this.closed) return;
        this.warn(error, 'reading online deltas failed; retrying');
        await sleep(this.options.blockMs);
        continue;
      }
      // Production may have changed while the read blocked: apply to what is production now, past its own cursor.
      for (const served of this.deps.production()) {
        const cursor = this.cursorOf(served);
        this.apply(served, (read.get(lineageKey(served.version)) ?? []).filter((entry) => compareIds(entry.id, cursor) > 0));
      }
    }
  }

  private cursorOf(served: ServedModel): string {
    return this.cursors.get(served) ?? deltaStartId(served.version);
  }

  /**
   * Applies entries in order to the model, then moves each item they
   * touched once in the recall index (from its latest vector): a server
   * catching up on a burst does one index update per item, not per delta.
   */
  private apply(served: ServedModel, entries: readonly DeltaEntry[]): void {
    const { metrics } = this.deps;
    const items = new Set<number>();
    for (const entry of entries) {
      try {
        applyDelta(served.model, this.deps.erasures?.filter(entry.delta) ?? entry.delta);
        for (const id of entry.delta.tables.item?.ids ?? []) items.add(id);
        metrics.deltas.inc({ role: served.role, outcome: 'applied' });
        metrics.deltaRows.inc({ role: served.role }, deltaRows(entry.delta));
      } catch (error) {
        metrics.deltas.inc({ role: served.role, outcome: 'failed' });
        this.warn(error, 'applying an online delta failed; the next one carries its rows again once they change');
      }
      this.cursors.set(served, entry.id);
    }
    if (served.role === 'recall' && items.size > 0) this.index(served as ServedRecall, [...items]);
    // Measured once the index has moved too: this is when answers reflect the delta.
    for (const entry of entries) metrics.deltaDelay.observe(Math.max(0, Date.now() - entry.publishedAt) / 1000);
  }

  /** Moves the items' vectors in the index; items new to the index are added if the catalogue knows them. */
  private index(served: ServedRecall, ids: ArrayLike<number>): void {
    const { index, items, labels } = served;
    const catalog = this.deps.catalog();
    const known: CatalogItem[] = [];
    for (const id of Array.from(ids)) {
      const item = labels.has(id) ? items[labels.get(id)!]! : catalog?.byVocabId(id);
      if (item) known.push(item);
      else this.missingOf(served).add(id);
    }
    if (known.length > 0) {
      upsertItems(served, known);
      const touched = this.rebuilding.get(served);
      if (touched) known.forEach((item) => touched.add(item.vocabId));
      else if (index.clamped > 0) void this.rebuild(served);
    }
    if (this.missing.get(served)?.size) this.reloadCatalogSoon();
  }

  /**
   * Rebuilds a recall index off the main thread once upserted vectors have
   * outgrown its norm headroom (they would rank below their place), then
   * swaps it in with the items upserted during the build.
   */
  private async rebuild(served: ServedRecall): Promise<void> {
    const touched = new Set<number>();
    this.rebuilding.set(served, touched);
    const { embedder, items, labels } = served;
    try {
      const built = items.length;
      const index = await HnswIndex.build(embedder.itemVectors(items), embedder.dim, this.options.hnsw);
      // Items added during the build take the next labels, in order; items changed during it are upserted again.
      const later = items.slice(built);
      const again = [...touched].filter((id) => labels.get(id)! < built).map((id) => items[labels.get(id)!]!);
      upsertItems({ ...served, index }, [...later, ...again]);
      served.index = index;
      this.deps.logger.info({ version: served.version.versionId, items: index.size }, 'recall index rebuilt for item vectors that outgrew it');
    } catch (error) {
      this.warn(error, 'rebuilding the recall index failed; it keeps serving with approximate places for the largest vectors');
    } finally {
      this.rebuilding.delete(served);
    }
  }

  private missingOf(served: ServedRecall): Set<number> {
    let set = this.missing.get(served);
    if (!set) this.missing.set(served, (set = new Set()));
    return set;
  }

  /** Once the catalogue has reloaded, indexes the items it now knows. */
  private retryMissing(production: ServedModel[]): void {
    const catalog = this.deps.catalog();
    if (!catalog || catalog === this.catalogSeen) return;
    this.catalogSeen = catalog;
    for (const served of production) {
      const missing = served.role === 'recall' ? this.missing.get(served as ServedRecall) : undefined;
      if (!missing?.size) continue;
      const found = [...missing].filter((id) => catalog.byVocabId(id));
      found.forEach((id) => missing.delete(id));
      if (found.length > 0) this.index(served as ServedRecall, found);
    }
  }

  /** Reloads the catalogue now, or once `catalogReloadMs` has passed since the last reload. */
  private reloadCatalogSoon(): void {
    if (this.catalogReload) return;
    const wait = Math.max(0, this.lastCatalogReload + this.options.catalogReloadMs - Date.now());
    this.catalogReload = setTimeout(() => {
      this.catalogReload = undefined;
      this.lastCatalogReload = Date.now();
      void this.deps.reloadCatalog();
    }, wait);
    this.catalogReload.unref();
  }

  private warn(error: unknown, message: string): void {
    // One line per interval: a Redis outage would fail every read.
    if (Date.now() - this.lastWarned < 10_000) return;
    this.lastWarned = Date.now();
    this.deps.logger.warn({ err: error }, message);
  }
}

/** Orders Redis stream ids (`ms-seq`). */
export function compareIds(a: string, b: string): number {
  const [am = 0n, as = 0n] = a.split('-').map(BigInt);
  const [bm = 0n, bs = 0n] = b.split('-').map(BigInt);
  return am === bm ? Number(as - bs) : am < bm ? -1 : 1;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
