import type { Catalog, CatalogItem } from './catalog.js';
import { explorationPool } from './exploration.js';
import { ItemPopularity } from './item-popularity.js';
import { contextKey, type Popularity, type ScoredItem } from './popularity.js';
import { fuseRules, type RankedItem, type RuleCandidates } from './recall.js';

export interface RecallListsOptions {
  /** Items taken from each popular or trending list. */
  ruleCandidates: number;
  /** Items kept in the exploration pool. */
  explorationPoolSize: number;
}

/**
 * What recall and re-ranking take from one catalogue and popularity
 * refresh, resolved to catalogue items when a refresh arrives rather
 * than on every request: the popular and trending lists cut to
 * `ruleCandidates`, the exploration pool, and each item's popularity.
 */
export class RecallLists {
  readonly global: readonly RankedItem[];
  readonly trending: readonly RankedItem[];
  readonly exploration: readonly CatalogItem[];
  readonly itemPopularity: ItemPopularity;
  private readonly contextual = new Map<string, readonly RankedItem[]>();
  /** Fused rule candidates per combination of context lists: bounded by the lists, not by what requests send. */
  private readonly fused = new Map<string, RuleCandidates>();

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

  /**
   * The context's popular lists (surface, then device, then global: those
   * that exist) and the trending list fused into candidates, once per
   * refresh and context.
   */
  rules(surface: string | undefined, device: string | undefined): RuleCandidates {
    const { key, lists } = this.contextLists(surface, device);
    let rules = this.fused.get(key);
    if (!rules) this.fused.set(key, (rules = fuseRules(lists, this.trending)));
    return rules;
  }

  private contextLists(surface: string | undefined, device: string | undefined): { key: string; lists: (readonly RankedItem[])[] } {
    const lists: (readonly RankedItem[])[] = [];
    let key = '';
    for (const context of [surface && contextKey('surface', surface), device && contextKey('device', device)]) {
      const list = context ? this.contextual.get(context) : undefined;
      if (list) {
        lists.push(list);
        key += `${context}|`;
      }
    }
    lists.push(this.global);
    return { key, lists };
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
