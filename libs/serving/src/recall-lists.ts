import type { Catalog, CatalogItem } from './catalog.js';
import { explorationPool } from './exploration.js';
import { ItemPopularity } from './item-popularity.js';
import { contextKey, type Popularity, type ScoredItem } from './popularity.js';

/** An item of a rule-based list and its rank there; items the catalogue lacks are left out but keep their ranks counted. */
export interface RankedItem {
  item: CatalogItem;
  rank: number;
}

export interface RecallListsOptions {
  /** Items taken from each popular or trending list. */
  ruleCandidates: number;
  /** Items kept in the exploration pool. */
  explorationPoolSize: number;
}

/**
 * What recall and re-ranking take from one catalogue and popularity
 * snapshot, resolved to catalogue items when the snapshot changes rather
 * than on every request: the popular and trending lists cut to
 * `ruleCandidates`, the exploration pool, and each item's popularity.
 */
export class RecallLists {
  readonly global: readonly RankedItem[];
  readonly trending: readonly RankedItem[];
  readonly exploration: readonly CatalogItem[];
  readonly itemPopularity: ItemPopularity;
  private readonly contextual = new Map<string, readonly RankedItem[]>();

  constructor(
    readonly catalog: Catalog,
    readonly popularity: Popularity,
    options: RecallListsOptions,
  ) {
    const resolve = (list: readonly ScoredItem[]) => resolveList(catalog, list, options.ruleCandidates);
    this.global = resolve(popularity.global);
    this.trending = resolve(popularity.trending);
    for (const [key, list] of popularity.contextual) this.contextual.set(key, resolve(list));
    this.exploration = explorationPool(catalog, popularity, options.explorationPoolSize);
    this.itemPopularity = new ItemPopularity(catalog, popularity.normalized);
  }

  /** The popular lists for a request's context: surface, then device, then global (those that exist). */
  popular(surface: string | undefined, device: string | undefined): (readonly RankedItem[])[] {
    const lists: (readonly RankedItem[])[] = [];
    const bySurface = surface ? this.contextual.get(contextKey('surface', surface)) : undefined;
    const byDevice = device ? this.contextual.get(contextKey('device', device)) : undefined;
    if (bySurface) lists.push(bySurface);
    if (byDevice) lists.push(byDevice);
    lists.push(this.global);
    return lists;
  }
}

function resolveList(catalog: Catalog, list: readonly ScoredItem[], size: number): RankedItem[] {
  const resolved: RankedItem[] = [];
  for (let rank = 0; rank < Math.min(size, list.length); rank++) {
    const item = catalog.get(list[rank]!.id);
    if (item) resolved.push({ item, rank });
  }
  return resolved;
}
