import type { Interaction } from '../src/data/interactions.js';
import { createRandom, type Random } from '../src/random.js';

export interface PlantedOptions {
  users: number;
  items: number;
  /** Item `i` belongs to category `i % categories`. */
  categories: number;
  interactionsPerUser: number;
  /** Categories each user draws from. */
  favouriteCategories: number;
  /** Chance the next interaction stays in the previous one's category: the sequential signal. */
  stayInCategory: number;
  /** Size of the latent user/item factors that pick items within a category. */
  factors: number;
  /** Standard deviation of the user-item factor affinity (log scale): what MF can learn within a category. */
  affinitySpread: number;
  /** Standard deviation of item popularity (log scale): how much popularity alone predicts. */
  popularitySpread: number;
  seed: number;
}

/** Sized for CI; a history of the last 4 items sees mostly the current category. */
export const DEFAULT_PLANTED_OPTIONS: PlantedOptions = {
  users: 200,
  items: 300,
  categories: 20,
  interactionsPerUser: 30,
  favouriteCategories: 12,
  stayInCategory: 0.8,
  factors: 4,
  affinitySpread: 0.7,
  popularitySpread: 0.7,
  seed: 11,
};

/**
 * Implicit-feedback sequences with planted structure: users prefer a few
 * categories (what MF and NeuMF can learn), items have a popularity and latent
 * factors, and the next item usually stays in the previous item's category
 * (what only history-reading models such as DIN and DIEN can exploit).
 */
export function plantedSequences(options: Partial<PlantedOptions> = {}): Interaction[] {
  const o = { ...DEFAULT_PLANTED_OPTIONS, ...options };
  const random = createRandom(o.seed);
  const itemFactors = factors(random, o.items, o.factors);
  const affinityScale = o.affinitySpread / Math.sqrt(o.factors);
  const popularity = Array.from({ length: o.items }, () => o.popularitySpread * random.normal());
  const out: Interaction[] = [];
  for (let user = 0; user < o.users; user++) {
    const userFactors = factors(random, 1, o.factors)[0]!;
    const favourites = Array.from({ length: o.favouriteCategories }, () => random.int(o.categories));
    const seen = new Set<number>();
    let category = favourites[0]!;
    for (let t = 0; t < o.interactionsPerUser; t++) {
      if (t > 0 && random.next() >= o.stayInCategory) category = favourites[random.int(favourites.length)]!;
      const item = pickItem(random, category, o, seen, (i) => popularity[i]! + affinityScale * dot(userFactors, itemFactors[i]!));
      if (item < 0) break;
      seen.add(item);
      out.push({ userId: user, itemId: item, timestamp: t * 60_000 });
    }
  }
  return out;
}

export interface ContextOptions {
  users: number;
  items: number;
  categories: number;
  devices: number;
  hours: number;
  samples: number;
  /** Size of the device x category and hour x category effects on the click logit. */
  contextEffect: number;
  /** Standard deviation of the user-item factor affinity on the click logit. */
  affinitySpread: number;
  seed: number;
}

export const DEFAULT_CONTEXT_OPTIONS: ContextOptions = {
  users: 300,
  items: 200,
  categories: 8,
  devices: 3,
  hours: 6,
  samples: 20_000,
  contextEffect: 2,
  affinitySpread: 1,
  seed: 13,
};

/**
 * Labelled exposures whose click chance depends on user and item factors and,
 * strongly, on which categories do well on which device and at which hour:
 * a CTR model that reads context should clearly beat one that does not.
 * Context fields are `device` and `hour`, in that order.
 */
export function plantedClicks(options: Partial<ContextOptions> = {}): Interaction[] {
  const o = { ...DEFAULT_CONTEXT_OPTIONS, ...options };
  const random = createRandom(o.seed);
  const userFactors = factors(random, o.users, 4);
  const itemFactors = factors(random, o.items, 4);
  const deviceEffect = factors(random, o.devices, o.categories);
  const hourEffect = factors(random, o.hours, o.categories);
  const out: Interaction[] = [];
  for (let s = 0; s < o.samples; s++) {
    const user = random.int(o.users);
    const item = random.int(o.items);
    const device = random.int(o.devices);
    const hour = random.int(o.hours);
    const category = item % o.categories;
    const logit =
      -0.5 +
      (o.affinitySpread / 2) * dot(userFactors[user]!, itemFactors[item]!) +
      o.contextEffect * (deviceEffect[device]![category]! + hourEffect[hour]![category]!);
    const label = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    out.push({ userId: user, itemId: item, timestamp: s * 1000, context: [device, hour], label });
  }
  return out;
}

function factors(random: Random, rows: number, dim: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: dim }, () => random.normal()));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((sum, x, i) => sum + x * b[i]!, 0);
}

/** Samples an unseen item of `category` with probability proportional to exp(affinity). */
function pickItem(
  random: Random,
  category: number,
  o: PlantedOptions,
  seen: Set<number>,
  affinity: (item: number) => number,
): number {
  const candidates: number[] = [];
  for (let i = category; i < o.items; i += o.categories) if (!seen.has(i)) candidates.push(i);
  if (candidates.length === 0) return -1;
  const weights = candidates.map((i) => Math.exp(affinity(i)));
  let u = random.next() * weights.reduce((a, b) => a + b, 0);
  for (let j = 0; j < candidates.length; j++) {
    u -= weights[j]!;
    if (u <= 0) return candidates[j]!;
  }
  return candidates.at(-1)!;
}
