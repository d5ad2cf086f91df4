import type { InteractionEvent } from '@recstream/schemas';
import {
  applyToItem,
  applyToUser,
  emptyItemState,
  emptyUserState,
  materializeItem,
  materializeUser,
  type AggregationOptions,
  type ItemState,
  type UserState,
} from './aggregate.js';
import type { HistoryRow } from './offline-store.js';
import type { EntityWrite } from './plan.js';
import { featureView, type EntityName } from './views.js';

/** item -> co-visited item -> count. */
export type Covisits = Map<string, Map<string, number>>;

/** A state the aggregator starts an entity from, and the version it had. */
export interface StartingState {
  state: string | null;
  version: string;
}

interface Entry<S> {
  state: S;
  version: string;
}

/**
 * Applies interactions to user and item states (loaded on first touch),
 * collecting co-visitation increments, and turns what it touched into
 * entity writes and history rows. Shared by the stream (one batch at a
 * time) and the rebuild (the whole event log), so both compute alike.
 */
export class Aggregator {
  private readonly users = new Map<string, Entry<UserState>>();
  private readonly items = new Map<string, Entry<ItemState>>();
  readonly covisits: Covisits = new Map();

  constructor(
    private readonly options: AggregationOptions,
    private readonly load: (entity: EntityName, id: string) => StartingState | undefined = () => undefined,
    private readonly categoriesOf: (itemId: string) => readonly string[] = () => [],
  ) {}

  apply(event: InteractionEvent): void {
    const user = this.entry(this.users, 'user', event.user_id, emptyUserState);
    const item = this.entry(this.items, 'item', event.item_id, emptyItemState);
    for (const [a, b] of applyToUser(user.state, event, this.categoriesOf(event.item_id), this.options)) {
      increment(this.covisits, a, b);
      increment(this.covisits, b, a);
    }
    applyToItem(item.state, event);
  }

  get touched(): number {
    return this.users.size + this.items.size;
  }

  /** Each touched entity's state and views as of its latest event, and the matching history rows. */
  writes(): { entities: EntityWrite[]; history: HistoryRow[] } {
    const entities: EntityWrite[] = [];
    const history: HistoryRow[] = [];
    const emit = (entity: EntityName, id: string, entry: Entry<UserState | ItemState>, views: Record<string, unknown>) => {
      const eventTime = entry.state.time;
      entities.push({ entity, id, expectedVersion: entry.version, state: JSON.stringify(entry.state), views, eventTime });
      for (const [view, values] of Object.entries(views)) {
        if (featureView(view).offline === 'history') history.push({ view, entityId: id, eventTime, values });
      }
    };
    for (const [id, user] of this.users) emit('user', id, user, materializeUser(user.state, this.options));
    for (const [id, item] of this.items) emit('item', id, item, materializeItem(item.state, this.options));
    return { entities, history };
  }

  private entry<S>(entries: Map<string, Entry<S>>, entity: EntityName, id: string, empty: () => S): Entry<S> {
    let entry = entries.get(id);
    if (!entry) {
      const stored = this.load(entity, id);
      entry = { state: stored?.state ? (JSON.parse(stored.state) as S) : empty(), version: stored?.version ?? '' };
      entries.set(id, entry);
    }
    return entry;
  }
}

function increment(covisits: Covisits, item: string, other: string): void {
  let counts = covisits.get(item);
  if (!counts) covisits.set(item, (counts = new Map()));
  counts.set(other, (counts.get(other) ?? 0) + 1);
}
