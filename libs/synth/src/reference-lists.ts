import type { LoggedCounts } from './logged-counts.js';
import { Random } from './random.js';
import type { ClickContext, SyntheticItem, SyntheticUser, SyntheticWorld } from './world.js';

/** One list request as the world sees it: who, where, when, and the audience's state (the category of the user's last click). */
export interface ListRequest {
  user: SyntheticUser;
  context: ClickContext;
  time: number;
  previousCategory: number | undefined;
  /** Items the user already clicked: a recommender does not show them again (serving filters the user's history), so no reference list does but the logging policy's, which never did. */
  consumed?: ReadonlySet<string>;
}

/** The lists a served list is compared with, from the floor (random) to the ceiling (best under the truth). */
export const REFERENCE_LISTS = ['random', 'popular', 'logging', 'heuristic', 'best'] as const;
export type ReferenceList = (typeof REFERENCE_LISTS)[number];

export interface ReferenceListsOptions {
  /** Items per reference list; the served lists they are compared with should have as many. */
  listSize: number;
  /** Seeds the random and logging-policy draws. */
  seed: number;
}

export const DEFAULT_REFERENCE_LISTS_OPTIONS: ReferenceListsOptions = { listSize: 10, seed: 1 };

/**
 * Reference lists for a request and their expected CTR under the world's
 * truth: random live items; the most clicked items in the logged data; a
 * list drawn by the world's logging policy; the counting heuristic (the
 * categories the user clicked, weighted by the category's CTR in the
 * context, both counted from the logs); and the best items under the true
 * probabilities. Draws are seeded: the same calls give the same lists.
 */
export class ReferenceLists {
  private readonly options: ReferenceListsOptions;
  private readonly random: Random;
  private readonly itemsById: Map<string, SyntheticItem>;
  private readonly popular: number[];
  /** Per category, its item indices by logged clicks. */
  private readonly categoryItems: number[][];

  constructor(
    private readonly world: SyntheticWorld,
    private readonly logged: LoggedCounts,
    options: Partial<ReferenceListsOptions> = {},
  ) {
    this.options = { ...DEFAULT_REFERENCE_LISTS_OPTIONS, ...options };
    this.random = new Random(this.options.seed);
    this.itemsById = new Map(world.items.map((item) => [item.id, item]));
    this.popular = logged.byClicks();
    this.categoryItems = Array.from({ length: world.options.categories }, () => []);
    for (const i of this.popular) this.categoryItems[world.items[i]!.category]!.push(i);
  }

  /** Every reference list for `request`. */
  lists(request: ListRequest): Record<ReferenceList, SyntheticItem[]> {
    const { world, options } = this;
    return {
      random: this.randomList(request),
      popular: this.firstLive(this.popular, request),
      logging: world.loggedList(this.random, request.user, request.time, request.previousCategory, options.listSize),
      heuristic: this.heuristic(request),
      best: this.best(request),
    };
  }

  /** The expected CTR of every reference list for `request`. */
  expectedCtrs(request: ListRequest): Record<ReferenceList, number> {
    const lists = this.lists(request);
    return Object.fromEntries(REFERENCE_LISTS.map((name) => [name, expectedCtr(this.world, request, lists[name])])) as Record<ReferenceList, number>;
  }

  /** The expected CTR of a served list, by item id; ids the world does not know are never clicked. */
  expectedCtrOf(request: ListRequest, itemIds: readonly string[]): number {
    return expectedCtr(this.world, request, itemIds.map((id) => this.itemsById.get(id)));
  }

  private randomList(request: ListRequest): SyntheticItem[] {
    const live = this.world.items.filter((item) => showable(item, request));
    const size = Math.min(this.options.listSize, live.length);
    // A partial Fisher-Yates shuffle: the first `size` places end up a uniform sample.
    for (let i = 0; i < size; i++) {
      const j = i + this.random.int(live.length - i);
      [live[i], live[j]] = [live[j]!, live[i]!];
    }
    return live.slice(0, size);
  }

  /** The categories by the heuristic's score, each contributing its most clicked live items until the list is full. */
  private heuristic(request: ListRequest): SyntheticItem[] {
    const scores = this.logged.categoryScores(request.user.id, request.context);
    const order = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b);
    return this.firstLive(order.flatMap((c) => this.categoryItems[c]!), request);
  }

  /**
   * The items with the highest true click probability for the request's
   * state, in that order: position decay is the same for every item, so the
   * order is the same at every position. A click inside the list changes
   * the user's previous category, which this choice does not plan for; it
   * is a near-ceiling, not a proven one.
   */
  private best(request: ListRequest): SyntheticItem[] {
    const probability = this.world.clickProbabilityFor(request.user, request.context, request.previousCategory, request.time);
    return this.world.items
      .filter((item) => showable(item, request))
      .map((item) => ({ item, p: probability(item) }))
      .sort((a, b) => b.p - a.p)
      .slice(0, this.options.listSize)
      .map(({ item }) => item);
  }

  private firstLive(indices: readonly number[], request: ListRequest): SyntheticItem[] {
    const list: SyntheticItem[] = [];
    for (const i of indices) {
      const item = this.world.items[i]!;
      if (!showable(item, request)) continue;
      list.push(item);
      if (list.length === this.options.listSize) break;
    }
    return list;
  }
}

/** Live at the request's time and not already clicked by its user. */
const showable = (item: SyntheticItem, request: ListRequest) => item.createdTime <= request.time && !request.consumed?.has(item.id);

const NO_CLICK_YET = -1;

/**
 * The expected CTR of `items` shown in order for `request`: the mean over
 * positions of the probability of a click there. Exact for how the
 * audience reacts: a click at one position makes its item's category the
 * previous one for the positions after it, so the distribution of the
 * previous category is carried down the list. Undefined items (unknown to
 * the world) take a position and are never clicked.
 */
export function expectedCtr(world: SyntheticWorld, request: ListRequest, items: readonly (SyntheticItem | undefined)[]): number {
  if (items.length === 0) return 0;
  const scorers = new Map<number, ReturnType<SyntheticWorld['clickProbabilityFor']>>();
  const scorer = (previous: number) => {
    let score = scorers.get(previous);
    if (!score) scorers.set(previous, (score = world.clickProbabilityFor(request.user, request.context, previous === NO_CLICK_YET ? undefined : previous, request.time)));
    return score;
  };
  let states = new Map([[request.previousCategory ?? NO_CLICK_YET, 1]]);
  let clicks = 0;
  items.forEach((item, position) => {
    if (!item) return;
    const next = new Map<number, number>();
    const add = (state: number, mass: number) => next.set(state, (next.get(state) ?? 0) + mass);
    for (const [previous, mass] of states) {
      const p = scorer(previous)(item, position);
      clicks += mass * p;
      add(previous, mass * (1 - p));
      add(item.category, mass * p);
    }
    states = next;
  });
  return clicks / items.length;
}
