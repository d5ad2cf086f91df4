import type { InteractionEventInput } from '@recstream/schemas';
import { HOUR_BUCKETS, WORLD_DEVICES, hourBucket, type ClickContext, type SyntheticWorld, type WorldDevice } from './world.js';

/** Pseudo-exposures at the category's overall CTR that each (category, device, part of day) cell starts from. */
const CONTEXT_PRIOR_EXPOSURES = 20;

/**
 * What a platform can count from the world's logged events (exposures and
 * clicks, never the truth): clicks per item, each user's clicks per
 * category, and exposures and clicks per category in each device and part
 * of the day. The counting heuristic and the most-popular list read these.
 */
export class LoggedCounts {
  /** Logged clicks per item index (the world's `items` order). */
  readonly itemClicks: Float64Array;
  private readonly userCategoryClicks = new Map<string, Float64Array>();
  private readonly categoryClicks: Float64Array;
  /** Per category, then device x part of day. */
  private readonly cellExposures: Float64Array;
  private readonly cellClicks: Float64Array;
  private readonly categoryCtr: Float64Array;

  constructor(
    private readonly world: SyntheticWorld,
    events: Iterable<InteractionEventInput>,
  ) {
    const { categories } = world.options;
    const cells = WORLD_DEVICES.length * HOUR_BUCKETS;
    const index = new Map(world.items.map((item, i) => [item.id, i]));
    this.itemClicks = new Float64Array(world.items.length);
    this.categoryClicks = new Float64Array(categories);
    this.cellExposures = new Float64Array(categories * cells);
    this.cellClicks = new Float64Array(categories * cells);
    const categoryExposures = new Float64Array(categories);
    for (const event of events) {
      if (event.type !== 'exposure' && event.type !== 'click') continue;
      const i = index.get(event.item_id);
      if (i === undefined) continue;
      const category = world.items[i]!.category;
      const cell = cellOf(event);
      if (event.type === 'exposure') {
        categoryExposures[category]!++;
        if (cell !== undefined) this.cellExposures[category * cells + cell]!++;
        continue;
      }
      this.itemClicks[i]!++;
      this.categoryClicks[category]!++;
      if (cell !== undefined) this.cellClicks[category * cells + cell]!++;
      let user = this.userCategoryClicks.get(event.user_id);
      if (!user) this.userCategoryClicks.set(event.user_id, (user = new Float64Array(categories)));
      user[category]!++;
    }
    this.categoryCtr = this.categoryClicks.map((clicks, c) => clicks / Math.max(1, categoryExposures[c]!));
  }

  /**
   * The counting heuristic's score of each category for a user in a
   * context: the user's clicks there (plus one click spread by the
   * categories' share of all clicks, so users without clicks still get a
   * ranking), times the category's smoothed CTR in that context.
   */
  categoryScores(userId: string, context: ClickContext): Float64Array {
    const cells = WORLD_DEVICES.length * HOUR_BUCKETS;
    const cell = cellIndex(context.device, context.hour);
    const user = this.userCategoryClicks.get(userId);
    const totalClicks = Math.max(1, this.categoryClicks.reduce((sum, x) => sum + x, 0));
    return this.categoryClicks.map((clicks, c) => {
      const weight = (user?.[c] ?? 0) + clicks / totalClicks;
      const at = c * cells + cell;
      const ctr = (this.cellClicks[at]! + CONTEXT_PRIOR_EXPOSURES * this.categoryCtr[c]!) / (this.cellExposures[at]! + CONTEXT_PRIOR_EXPOSURES);
      return weight * ctr;
    });
  }

  /** Item indices by logged clicks, most first (ties by index). */
  byClicks(indices: readonly number[] = this.world.items.map((_, i) => i)): number[] {
    return [...indices].sort((a, b) => this.itemClicks[b]! - this.itemClicks[a]! || a - b);
  }
}

function cellIndex(device: WorldDevice, hour: number): number {
  return WORLD_DEVICES.indexOf(device) * HOUR_BUCKETS + hourBucket(hour);
}

/** The (device, part of day) cell an event was logged in, from its context; undefined when it names no world device. */
function cellOf(event: InteractionEventInput): number | undefined {
  const device = event.context?.device;
  if (!WORLD_DEVICES.includes(device as WorldDevice)) return undefined;
  const hour = event.context?.hour;
  return cellIndex(device as WorldDevice, typeof hour === 'number' ? hour : new Date(event.event_time).getUTCHours());
}
