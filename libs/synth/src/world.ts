import type { InteractionEventInput } from '@recstream/schemas';
import { Random } from './random.js';

export interface WorldOptions {
  seed: number;
  users: number;
  items: number;
  categories: number;
  /** Size of the latent taste space. */
  dim: number;
  days: number;
  /** Epoch ms of the first day's midnight (UTC). */
  start: number;
  sessionsPerUserPerDay: number;
  /** Lists served per session; each list is one request with `listSize` exposures. */
  listsPerSession: number;
  listSize: number;
  /** Popularity follows rank^-zipfExponent. */
  zipfExponent: number;
  /** How far tastes move over the whole period (0 = static, 1 = towards a new taste entirely). */
  tasteDrift: number;
  /** Share of items created during the period rather than before it. */
  newItemShare: number;
  /**
   * Topic tags per item (0 = none): the item's content, read from its own
   * taste vector as a real catalogue's tags reflect what an item is about.
   */
  tagsPerItem: number;
}

export const DEFAULT_WORLD_OPTIONS: WorldOptions = {
  seed: 42,
  users: 1_000,
  items: 2_000,
  categories: 20,
  dim: 8,
  days: 7,
  start: Date.UTC(2026, 2, 1),
  sessionsPerUserPerDay: 1,
  listsPerSession: 2,
  listSize: 10,
  zipfExponent: 1,
  tasteDrift: 0.3,
  newItemShare: 0.1,
  tagsPerItem: 2,
};

/**
 * The ground truth's weights. A click's log-odds is the sum of taste
 * (user x item), popularity, context (device and hour x category), sequence
 * (the category after the user's last clicked one) and position terms.
 */
export const GROUND_TRUTH = {
  bias: -3.2,
  taste: 3,
  popularity: 0.35,
  context: 0.9,
  sequence: 1.8,
  positionDecay: 0.15,
} as const;

export const WORLD_DEVICES = ['mobile', 'desktop', 'tablet'] as const;
export type WorldDevice = (typeof WORLD_DEVICES)[number];
export const HOUR_BUCKETS = 4;
const DAY_MS = 86_400_000;

export interface SyntheticItem {
  id: string;
  category: number;
  vector: Float64Array;
  /** Zipf weight, normalised so the most popular item has 1. */
  popularity: number;
  createdTime: number;
  /** Topic tags, `t<k>+` or `t<k>-` for the vector's largest components by size, largest first. */
  tags: string[];
}

export interface SyntheticUser {
  id: string;
  start: Float64Array;
  end: Float64Array;
  device: WorldDevice;
  /** Hour of day around which this user's sessions happen. */
  peakHour: number;
  country: string;
}

export interface ClickContext {
  device: WorldDevice;
  hour: number;
}

/**
 * A synthetic world with planted, known structure, deterministic by seed:
 * users whose tastes drift, items with categories and Zipf popularity, and
 * sessions of exposures and outcomes drawn from `clickProbability`.
 */
export class SyntheticWorld {
  readonly options: WorldOptions;
  readonly users: SyntheticUser[];
  readonly items: SyntheticItem[];
  /** Per category, the context affinity: [device][hourBucket]. */
  private readonly contextAffinity: Float64Array[];
  private readonly popularityCdf: Float64Array;
  private readonly itemsByCategory: number[][];

  constructor(options: Partial<WorldOptions> = {}) {
    this.options = { ...DEFAULT_WORLD_OPTIONS, ...options };
    const { seed, categories, dim, items, users, start, days, newItemShare, zipfExponent } = this.options;
    const random = new Random(seed);
    const centroids = Array.from({ length: categories }, () => unit(gaussian(random, dim)));
    const popularityRank = shuffle(random, Array.from({ length: items }, (_, i) => i));
    this.items = Array.from({ length: items }, (_, j) => {
      const category = random.int(categories);
      const isNew = random.bernoulli(newItemShare);
      const vector = unit(add(centroids[category]!, gaussian(random, dim), 0.6));
      return {
        id: `i${j}`,
        category,
        vector,
        popularity: (popularityRank[j]! + 1) ** -zipfExponent,
        createdTime: isNew ? start + random.next() * days * DAY_MS : start - (1 + random.int(365)) * DAY_MS,
        tags: topicTags(vector, this.options.tagsPerItem),
      };
    });
    this.users = Array.from({ length: users }, (_, u) => {
      const liked = centroids[random.int(categories)]!;
      const also = centroids[random.int(categories)]!;
      const startTaste = unit(add(add(liked, also, 0.5), gaussian(random, dim), 0.4));
      const endTaste = unit(add(startTaste, gaussian(random, dim), 1));
      return {
        id: `u${u}`,
        start: startTaste,
        end: endTaste,
        device: random.pick(WORLD_DEVICES),
        peakHour: random.pick([8, 13, 20, 22]),
        country: random.pick(['DE', 'FR', 'US', 'BR', 'JP']),
      };
    });
    this.contextAffinity = Array.from({ length: categories }, () =>
      Float64Array.from({ length: WORLD_DEVICES.length * HOUR_BUCKETS }, () => random.normal()),
    );
    this.popularityCdf = cumulative(this.items.map((item) => item.popularity));
    this.itemsByCategory = Array.from({ length: categories }, () => []);
    this.items.forEach((item, j) => this.itemsByCategory[item.category]!.push(j));
  }

  /** The category users tend to click after clicking `category`: the sequential signal. */
  nextCategory(category: number): number {
    return (category + 1) % this.options.categories;
  }

  /** The user's taste at `time`, drifting linearly from start to end over the period. */
  tasteAt(user: SyntheticUser, time: number): Float64Array {
    const { start, days, tasteDrift } = this.options;
    const progress = Math.min(1, Math.max(0, (time - start) / (days * DAY_MS))) * tasteDrift;
    return unit(add(scale(user.start, 1 - progress), user.end, progress));
  }

  /** Ground-truth probability that `user` clicks `item` shown at `position` in `context`. */
  clickProbability(
    user: SyntheticUser,
    item: SyntheticItem,
    context: ClickContext,
    previousCategory: number | undefined,
    time: number,
    position = 0,
  ): number {
    return this.clickProbabilityFor(user, context, previousCategory, time)(item, position);
  }

  /** `clickProbability` of one user, context, previous category and time, for scoring many items: the drifted taste is computed once. */
  clickProbabilityFor(
    user: SyntheticUser,
    context: ClickContext,
    previousCategory: number | undefined,
    time: number,
  ): (item: SyntheticItem, position?: number) => number {
    const w = GROUND_TRUTH;
    const taste = this.tasteAt(user, time);
    const cell = WORLD_DEVICES.indexOf(context.device) * HOUR_BUCKETS + hourBucket(context.hour);
    const next = previousCategory === undefined ? undefined : this.nextCategory(previousCategory);
    return (item, position = 0) => {
      const logit =
        w.bias +
        w.taste * dot(taste, item.vector) +
        w.popularity * Math.log(item.popularity * this.items.length) / Math.log(this.items.length) +
        w.context * this.contextAffinity[item.category]![cell]! +
        (item.category === next ? w.sequence : 0) -
        w.positionDecay * position;
      return 1 / (1 + Math.exp(-logit));
    };
  }

  /** An item drawn by popularity, or from `category` when given; only items that exist at `time`. */
  drawItem(random: Random, time: number, category?: number): SyntheticItem {
    for (let attempt = 0; ; attempt++) {
      const pool = category === undefined ? undefined : this.itemsByCategory[category];
      const index = pool && pool.length > 0 ? random.pick(pool) : random.weighted(this.popularityCdf);
      const item = this.items[index]!;
      if (item.createdTime <= time || attempt > 20) return item;
    }
  }

  /** Upserts (item and user attribute events), stamped at the start of the period. */
  *upsertEvents(): Generator<Record<string, unknown>> {
    const time = this.options.start - DAY_MS;
    for (const item of this.items) {
      yield {
        event_id: `${this.options.seed}-item-${item.id}`,
        type: 'item',
        item_id: item.id,
        event_time: Math.min(time, item.createdTime),
        categories: [`c${item.category}`],
        tags: item.tags,
        created_time: Math.round(item.createdTime),
        available: true,
      };
    }
    for (const user of this.users) {
      yield { event_id: `${this.options.seed}-user-${user.id}`, type: 'user', user_id: user.id, event_time: time, attributes: { country: user.country } };
    }
  }

  /** Interaction events, day by day in event-time order. */
  *interactionEvents(): Generator<InteractionEventInput> {
    const random = new Random(this.options.seed ^ 0x5eed);
    const lastCategory = new Map<string, number>();
    const counter = { value: 0 };
    for (let day = 0; day < this.options.days; day++) {
      const events: InteractionEventInput[] = [];
      for (const user of this.users) {
        const sessions = Math.floor(this.options.sessionsPerUserPerDay + random.next());
        for (let s = 0; s < sessions; s++) {
          const hour = (user.peakHour + Math.round(random.normal() * 2) + 24) % 24;
          const sessionStart = this.options.start + day * DAY_MS + hour * 3_600_000 + random.int(3_600_000);
          events.push(...this.session(random, user, sessionStart, lastCategory, counter));
        }
      }
      events.sort((a, b) => (a.event_time as number) - (b.event_time as number));
      yield* events;
    }
  }

  private session(
    random: Random,
    user: SyntheticUser,
    start: number,
    lastCategory: Map<string, number>,
    counter: { value: number },
  ): InteractionEventInput[] {
    const { seed, listsPerSession, listSize } = this.options;
    const device = random.bernoulli(0.8) ? user.device : random.pick(WORLD_DEVICES);
    const context = { device, hour: new Date(start).getUTCHours() };
    const events: InteractionEventInput[] = [];
    let time = start;
    const event = (type: InteractionEventInput['type'], item: SyntheticItem, extra: Partial<InteractionEventInput>) => {
      time += 1_000 + random.int(20_000);
      events.push({ event_id: `${seed}-e${counter.value++}`, type, user_id: user.id, item_id: item.id, event_time: time, ...extra });
    };
    for (let list = 0; list < listsPerSession; list++) {
      const requestId = `${seed}-r${counter.value++}`;
      const shown = this.loggedList(random, user, time, lastCategory.get(user.id), listSize);
      const surface = list === 0 ? 'home' : 'detail';
      shown.forEach((item, position) => {
        const ctx = { surface, position, device, hour: context.hour };
        event('exposure', item, { request_id: requestId, context: ctx });
        if (!random.bernoulli(this.clickProbability(user, item, context, lastCategory.get(user.id), time, position))) return;
        event('click', item, { request_id: requestId, context: ctx });
        event('view', item, { request_id: requestId, context: ctx, dwell_ms: Math.round(-Math.log(1 - random.next()) * 30_000) });
        lastCategory.set(user.id, item.category);
        if (random.bernoulli(0.15)) {
          event('add_to_cart', item, { request_id: requestId, context: ctx });
          if (random.bernoulli(0.4)) event('purchase', item, { request_id: requestId, context: ctx, value: 5 + random.int(95) });
        }
      });
    }
    return events;
  }

  /**
   * A list as the policy that logged the world's data draws it: popular
   * items, the user's favourite category, the category after the last click,
   * and random ones, without repeats.
   */
  loggedList(random: Random, user: SyntheticUser, time: number, previousCategory: number | undefined, size = this.options.listSize): SyntheticItem[] {
    const favourite = this.favouriteCategory(user, time);
    const related = previousCategory === undefined ? undefined : this.nextCategory(previousCategory);
    const shown = new Set<SyntheticItem>();
    // Drawn with repeats discarded, so a list cannot hold more than every item.
    while (shown.size < Math.min(size, this.items.length)) {
      const mode = random.next();
      const category = mode < 0.4 ? undefined : mode < 0.6 ? favourite : mode < 0.8 ? related : random.int(this.options.categories);
      shown.add(this.drawItem(random, time, category));
    }
    return [...shown];
  }

  private favouriteCategory(user: SyntheticUser, time: number): number {
    const taste = this.tasteAt(user, time);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < this.itemsByCategory.length; c++) {
      const first = this.itemsByCategory[c]![0];
      if (first === undefined) continue;
      const score = dot(taste, this.items[first]!.vector);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    return best;
  }
}

/** The hour's part of the day (HOUR_BUCKETS of them), as context affinity reads it. */
export function hourBucket(hour: number): number {
  return Math.floor(((hour % 24) + 24) % 24 / (24 / HOUR_BUCKETS));
}

/** The signed axes of the `count` largest components of `vector` by size, as tags: what the item is about. */
function topicTags(vector: Float64Array, count: number): string[] {
  const axes = Array.from(vector.keys()).sort((a, b) => Math.abs(vector[b]!) - Math.abs(vector[a]!) || a - b);
  return axes.slice(0, count).map((k) => `t${k}${vector[k]! < 0 ? '-' : '+'}`);
}

const gaussian = (random: Random, dim: number) => Float64Array.from({ length: dim }, () => random.normal());
const dot = (a: Float64Array, b: Float64Array) => a.reduce((sum, value, i) => sum + value * b[i]!, 0);
const scale = (a: Float64Array, s: number) => a.map((value) => value * s);
const add = (a: Float64Array, b: Float64Array, weight: number) => a.map((value, i) => value + weight * b[i]!);
function unit(a: Float64Array): Float64Array {
  const norm = Math.sqrt(dot(a, a)) || 1;
  return scale(a, 1 / norm);
}
function cumulative(weights: number[]): Float64Array {
  let sum = 0;
  return Float64Array.from(weights, (w) => (sum += w));
}
function shuffle<T>(random: Random, values: T[]): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}
