import type pg from 'pg';
import { CoalescedRun, type Logger } from '@recstream/platform';
import { deserializeModel, selectBackend } from '@recstream/models';
import { PROMOTION_CHANNEL, type ModelRegistry, type ModelVersion } from '@recstream/registry';
import { MODEL_ROLES, type ModelRole } from '@recstream/schemas';
import { HnswIndex, type HnswOptions } from '../ann/hnsw-index.js';
import type { Catalog } from '../catalog.js';
import type { ServingMetrics } from '../metrics.js';
import { recallEmbedder } from './recall-embedder.js';
import { ModelEntry, unindexedItems, upsertItems, type ServedModel, type ServedRecall } from './served-model.js';

export interface ModelStoreOptions {
  /** Production versions are also polled this often, in case a NOTIFY was missed (e.g. while reconnecting). */
  pollIntervalMs: number;
  hnsw: Partial<HnswOptions>;
}

export const DEFAULT_MODEL_STORE_OPTIONS: ModelStoreOptions = { pollIntervalMs: 30_000, hnsw: {} };

export interface ModelStoreDeps {
  registry: ModelRegistry;
  /** For LISTEN on the promotion channel; one client is held while the store runs. */
  pool: pg.Pool;
  catalog: () => Catalog | undefined;
  logger: Logger;
  metrics: ServingMetrics;
  /** Brings a loaded version up to date with the online updater's deltas before it is swapped in. */
  deltas?: { catchUp(served: ServedModel): Promise<void> };
  /** Removes erased users' rows from a loaded version before it serves. */
  erasures?: { scrub(served: ServedModel): void };
}

/** Versions a request wants instead of production (an experiment's pins); null: production. */
export interface Pins {
  recall: number | null;
  ranking: number | null;
  /** Score with copies of the pinned versions that never take online deltas (see `pin`). */
  frozen: boolean;
}

const PRODUCTION: Pins = { recall: null, ranking: null, frozen: false };

/** The models one request runs on; `release()` when the response is out. */
export interface ModelLease {
  recall?: ServedRecall;
  ranking?: ServedModel;
  release(): void;
}


/**
 * Loads the production recall and ranking versions (and versions experiments
 * pin) from the registry, builds the recall index, and swaps new production
 * versions in when the registry announces a promotion (NOTIFY) or a poll
 * finds one. Loading happens in the background; the swap is one reference
 * assignment, and requests lease what they started with.
 */
export class ModelStore {
  private readonly options: ModelStoreOptions;
  private readonly entries = new Map<number, ModelEntry>();
  /** Copies of pinned versions loaded without deltas, apart from `entries`, so the follower never reaches them. */
  private readonly frozen = new Map<number, ModelEntry>();
  private readonly production = new Map<ModelRole, ModelEntry>();
  private pinned = new Set<number>();
  private frozenPinned = new Set<number>();
  private started = false;
  /** The catalogue whose new items the loaded recall indexes were last given. */
  private catalogIndexed?: Catalog;
  private listener?: pg.PoolClient;
  private timer?: NodeJS.Timeout;
  private readonly refreshes = new CoalescedRun(() => this.reconcile(), () => this.closing !== undefined);
  private closing?: Promise<void>;
  /** Aborted by `close()`: ends an index build in progress instead of waiting it out. */
  private readonly closed = new AbortController();

  constructor(
    private readonly deps: ModelStoreDeps,
    options: Partial<ModelStoreOptions> = {},
  ) {
    this.options = { ...DEFAULT_MODEL_STORE_OPTIONS, ...options };
  }

  /** Starts listening for promotions and loads what is in production; resolves once that load is done (or failed). */
  async start(): Promise<void> {
    const backend = await selectBackend();
    this.deps.logger.info({ backend }, 'model backend selected');
    const listener = await this.deps.pool.connect();
    // A close that came while connecting found no listener to release.
    if (this.closing) {
      listener.release();
      return;
    }
    this.listener = listener;
    this.listener.on('notification', () => void this.refresh());
    this.listener.on('error', (error) => this.deps.logger.warn({ err: error }, 'promotion listener failed; polling continues'));
    await this.listener.query(`LISTEN ${PROMOTION_CHANNEL}`);
    this.started = true;
    await this.refresh();
    if (this.closing) return;
    this.timer = setInterval(() => void this.refresh(), this.options.pollIntervalMs);
    this.timer.unref();
  }

  /** The production version loaded per role, or undefined. */
  productionVersion(role: ModelRole): number | undefined {
    return this.production.get(role)?.served.version.versionId;
  }

  /** Every model loaded: production, pinned versions and frozen copies. */
  loadedModels(): ServedModel[] {
    return [...this.entries.values(), ...this.frozen.values()].map((entry) => entry.served);
  }

  /** The production models loaded, one per role at most. */
  productionModels(): ServedModel[] {
    return [...this.production.values()].map((entry) => entry.served);
  }

  /**
   * Versions experiments pin; loaded in the background, retired when no
   * longer pinned. A version pinned to follow catches up on online deltas
   * once, when it loads; a frozen pin gets a copy of its own that takes
   * none and that no promotion replaces.
   */
  pin(pins: Iterable<Pins>): void {
    const all = [...pins];
    const ids = (frozen: boolean) => new Set(all.filter((p) => p.frozen === frozen).flatMap((p) => [p.recall, p.ranking].filter((id): id is number => id !== null)));
    const [next, nextFrozen] = [ids(false), ids(true)];
    if (sameSet(next, this.pinned) && sameSet(nextFrozen, this.frozenPinned)) return;
    this.pinned = next;
    this.frozenPinned = nextFrozen;
    // Before start() the backend is not selected yet; start() loads the pins with everything else.
    if (this.started) void this.refresh();
  }

  /** The models for one request: pinned versions (frozen copies for a frozen pin) where loaded, production otherwise. */
  lease(pins: Pins = PRODUCTION): ModelLease {
    const pinned = pins.frozen ? this.frozen : this.entries;
    const pick = (role: ModelRole) => (pins[role] !== null && pinned.get(pins[role])) || this.production.get(role);
    const recallEntry = pick('recall') as ModelEntry<ServedRecall> | undefined;
    const rankingEntry = pick('ranking');
    const recall = recallEntry?.acquire();
    const ranking = rankingEntry?.acquire();
    let released = false;
    return {
      recall,
      ranking,
      release: () => {
        if (released) return;
        released = true;
        recallEntry?.release();
        rankingEntry?.release();
      },
    };
  }

  /** Reconciles loaded versions with the registry; calls during a run schedule one more run. */
  refresh(): Promise<void> {
    return this.refreshes.run();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.timer);
      this.closed.abort();
      await this.refreshes.settled();
      if (this.listener) {
        await this.listener.query(`UNLISTEN ${PROMOTION_CHANNEL}`).catch(() => undefined);
        this.listener.release();
      }
      for (const entry of [...this.entries.values(), ...this.frozen.values()]) entry.retire();
      this.entries.clear();
      this.frozen.clear();
      this.production.clear();
    })();
    return this.closing;
  }

  private async reconcile(): Promise<void> {
    const { registry, logger, metrics } = this.deps;
    let production: Map<ModelRole, ModelVersion | undefined>;
    try {
      production = new Map(await Promise.all(MODEL_ROLES.map(async (role) => [role, await registry.production(role)] as const)));
    } catch (error) {
      logger.warn({ err: error }, 'reading production versions failed; keeping the loaded models');
      return;
    }
    const wanted = new Set([...this.pinned, ...[...production.values()].flatMap((v) => (v ? [v.versionId] : []))]);
    for (const versionId of wanted) await this.loadInto(this.entries, versionId, production, { followDeltas: true });
    for (const role of MODEL_ROLES) {
      const entry = this.entries.get(production.get(role)?.versionId ?? -1);
      if (!entry || entry === this.production.get(role)) continue;
      this.production.set(role, entry);
      metrics.modelVersion.set({ role }, entry.served.version.versionId);
      logger.info({ role, versionId: entry.served.version.versionId }, 'production model swapped in');
    }
    // After the swap: an experiment's copies must not hold up a new production version.
    for (const versionId of this.frozenPinned) await this.loadInto(this.frozen, versionId, production, { followDeltas: false });
    const inUse = new Set([...this.production.values()]);
    for (const [versionId, entry] of this.entries) {
      if (wanted.has(versionId) || inUse.has(entry)) continue;
      this.entries.delete(versionId);
      entry.retire();
    }
    for (const [versionId, entry] of this.frozen) {
      if (this.frozenPinned.has(versionId)) continue;
      this.frozen.delete(versionId);
      entry.retire();
    }
    this.indexNewItems();
  }

  /**
   * Gives the loaded recall indexes the items a reloaded catalogue added that
   * their models can place: for a two-tower model reading item fields, every
   * new item, its vector computed from its attributes.
   */
  private indexNewItems(): void {
    const catalog = this.deps.catalog();
    if (!catalog || catalog === this.catalogIndexed) return;
    this.catalogIndexed = catalog;
    for (const served of this.loadedModels()) {
      if (served.role !== 'recall') continue;
      const recall = served as ServedRecall;
      const fresh = unindexedItems(recall, catalog.items);
      if (fresh.length > 0) upsertItems(recall, fresh);
    }
  }

  /** Loads a version into `target` unless it is there; `followDeltas`: caught up on the online deltas published since its snapshot. */
  private async loadInto(
    target: Map<number, ModelEntry>,
    versionId: number,
    production: Map<ModelRole, ModelVersion | undefined>,
    { followDeltas }: { followDeltas: boolean },
  ): Promise<void> {
    if (target.has(versionId) || this.closing) return;
    const { registry, logger, metrics } = this.deps;
    let role: ModelRole | 'unknown' = 'unknown';
    try {
      const version = [...production.values()].find((v) => v?.versionId === versionId) ?? (await registry.get(versionId));
      if (!version) throw new Error(`version ${versionId} is not in the registry`);
      role = version.role;
      const started = performance.now();
      const served = await this.load(version);
      if (followDeltas) await this.deps.deltas?.catchUp(served);
      // In the same turn as the entry is added: an erasure seen after this reaches the model through `loadedModels`.
      this.deps.erasures?.scrub(served);
      target.set(versionId, new ModelEntry(served));
      metrics.modelLoads.inc({ role, outcome: 'loaded' });
      logger.info({ versionId, role, frozen: !followDeltas, ms: Math.round(performance.now() - started) }, 'model version loaded');
    } catch (error) {
      if (this.closing) return;
      metrics.modelLoads.inc({ role, outcome: 'failed' });
      logger.error({ err: error, versionId, role }, 'loading a model version failed; serving keeps its current models');
    }
  }

  private async load(version: ModelVersion): Promise<ServedModel> {
    // A copy into a plain Uint8Array: the artifact decoder slices its input, and slicing a Buffer shares memory instead of copying.
    const model = deserializeModel(new Uint8Array(await this.deps.registry.loadArtifact(version.versionId)));
    if (version.role !== 'recall') return { role: version.role, version, model };
    try {
      return await this.buildRecall(version, model);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  private async buildRecall(version: ModelVersion, model: ServedModel['model']): Promise<ServedRecall> {
    const embedder = recallEmbedder(model);
    const catalog = this.deps.catalog()?.items ?? [];
    const items = catalog.filter((item) => embedder.knows(item));
    const vectors = embedder.itemVectors(items);
    const index = await HnswIndex.build(vectors, embedder.dim, this.options.hnsw, this.closed.signal);
    return { role: 'recall', version, model, embedder, index, items, labels: new Map(items.map((item, label) => [item.vocabId, label])) };
  }
}

const sameSet = (a: ReadonlySet<number>, b: ReadonlySet<number>) => a.size === b.size && [...a].every((id) => b.has(id));
