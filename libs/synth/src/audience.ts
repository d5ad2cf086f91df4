import { Random } from './random.js';
import type { SyntheticItem, SyntheticUser, SyntheticWorld, WorldDevice } from './world.js';

const NONE: ReadonlySet<string> = new Set();

/** A list as a client showed it: the request that served it and its items in order. */
export interface ShownList {
  requestId: string;
  userId: string;
  itemIds: readonly string[];
  device: WorldDevice;
  /** When the list was shown, epoch ms. */
  time: number;
}

/** One click on a shown list, with everything an outcome event needs. */
export interface SimulatedClick {
  requestId: string;
  userId: string;
  itemId: string;
  position: number;
  device: WorldDevice;
  time: number;
}

/**
 * The world's users reacting to lists a recommender serves them: each shown
 * item is clicked with the world's ground-truth probability at its position,
 * and a click sets the user's previous category, as in the logged data. Lets
 * the demo and load tests close the loop (serve, react, learn) with outcomes
 * that reward better lists.
 */
export class SimulatedAudience {
  private readonly random: Random;
  private readonly users: Map<string, SyntheticUser>;
  private readonly items: Map<string, SyntheticItem>;
  private readonly lastCategory = new Map<string, number>();
  private readonly clicked = new Map<string, Set<string>>();

  /**
   * Users start where the world's logged history left them: each one's
   * previous category is that of their last click in `interactionEvents`,
   * which the platform has seen too (`fromHistory: false` starts them blank).
   */
  constructor(
    private readonly world: SyntheticWorld,
    seed = world.options.seed,
    { fromHistory = true }: { fromHistory?: boolean } = {},
  ) {
    this.random = new Random(seed ^ 0xa0d1e);
    this.users = new Map(world.users.map((user) => [user.id, user]));
    this.items = new Map(world.items.map((item) => [item.id, item]));
    if (!fromHistory) return;
    for (const event of world.interactionEvents()) if (event.type === 'click') this.remember(event.user_id, this.items.get(event.item_id)!);
  }

  /** The items the user has clicked, in the logged history (when the audience starts from it) and in reactions since. */
  clickedItems(userId: string): ReadonlySet<string> {
    return this.clicked.get(userId) ?? NONE;
  }

  private remember(userId: string, item: SyntheticItem): void {
    this.lastCategory.set(userId, item.category);
    let items = this.clicked.get(userId);
    if (!items) this.clicked.set(userId, (items = new Set()));
    items.add(item.id);
  }

  /** The category of the user's last click, which the next list's click probabilities depend on; undefined before any. */
  previousCategory(userId: string): number | undefined {
    return this.lastCategory.get(userId);
  }

  /** Clicks on `list`; ids the world does not know (e.g. a user it never generated) get none. */
  react(list: ShownList): SimulatedClick[] {
    const user = this.users.get(list.userId);
    if (!user) return [];
    const context = { device: list.device, hour: new Date(list.time).getUTCHours() };
    const clicks: SimulatedClick[] = [];
    list.itemIds.forEach((itemId, position) => {
      const item = this.items.get(itemId);
      if (!item) return;
      const p = this.world.clickProbability(user, item, context, this.lastCategory.get(user.id), list.time, position);
      if (!this.random.bernoulli(p)) return;
      this.remember(user.id, item);
      clicks.push({ requestId: list.requestId, userId: user.id, itemId, position, device: list.device, time: list.time + 1_000 * (position + 1) });
    });
    return clicks;
  }
}
