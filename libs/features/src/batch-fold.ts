import type { InteractionEvent } from '@recstream/schemas';
import {
  applyToItem,
  applyToUser,
  emptyItemState,
  emptyUserState,
  materializeItem,
  materializeUser,
  materializeUserActivity,
  NO_CONTENT,
  type AggregationOptions,
  type ItemContent,
  type ItemState,
  type UserState,
} from './entity-state.js';
import type { HistoryRow } from './offline-store.js';
import type { EntityWrite } from './plan.js';
import { FEATURE_VIEWS, userActivity, type EntityName } from './views.js';

/** item -> co-visited item -> count. */
export type Covisits = Map<string, Map<string, number>>;

/**
 * Which of an event's effects are still to be written, on a Redis Cluster
 * where a batch lands slot by slot (docs/decisions/cluster-exactly-once.md):
 * the user's state, the item's state, and the co-visitation set of an item.
 */
export interface FoldGate {
  user: boolean;
  item: boolean;
  covisit: (itemId: string) => boolean;
}

/** Every effect is to be written: one Redis, or a batch none of whose slots has landed. */
export const OPEN_GATE: FoldGate = { user: true, item: true, covisit: () => true };

/** A state the fold starts an entity from, and its write token. */
export interface StartingState {
  state: string | null;
  writeToken: string;
}

interface Entry<S> {
  state: S;
  writeToken: string;
  /** Whether this fold applied events to it: a state as loaded is in the history already. */
  changed: boolean;
}

/**
 * Applies interactions to user and item states (loaded on first touch),
 * collecting co-visitation increments, and turns what it touched into
 * entity writes and history rows. Shared by the stream (one batch at a
 * time) and the rebuild (the whole event log), so both compute alike.
 */
export class BatchFold {
  private readonly users = new Map<string, Entry<UserState>>();
  private readonly items = new Map<string, Entry<ItemState>>();
  /** History rows of earlier intervals of the entities touched, taken as their events moved on. */
  private readonly earlier: HistoryRow[] = [];
  readonly covisits: Covisits = new Map();

  constructor(
    private readonly options: AggregationOptions,
    private readonly load: (entity: EntityName, id: string) => StartingState | undefined = () => undefined,
    private readonly contentOf: (itemId: string) => ItemContent = () => NO_CONTENT,
  ) {}

  /**
   * Folds the event into the user and the item the gate lets through. A
   * user whose state already holds the event adds no co-visitations either:
   * its batch wrote users only after every co-visitation of it.
   */
  apply(event: InteractionEvent, gate: FoldGate = OPEN_GATE): void {
    if (gate.user) {
      const user = this.entry(this.users, 'user', event.user_id, emptyUserState);
      this.closeInterval('user', event.user_id, user, event.event_time);
      user.changed = true;
      for (const [a, b] of applyToUser(user.state, event, this.contentOf(event.item_id), this.options)) {
        if (gate.covisit(a)) increment(this.covisits, a, b);
        if (gate.covisit(b)) increment(this.covisits, b, a);
      }
    }
    if (gate.item) {
      const item = this.entry(this.items, 'item', event.item_id, emptyItemState);
      this.closeInterval('item', event.item_id, item, event.event_time);
      item.changed = true;
      applyToItem(item.state, event);
    }
  }

  get touched(): number {
    return this.users.size + this.items.size;
  }

  /**
   * The history rows of intervals closed so far, handed over once: a batch
   * job writes them as it goes instead of holding the whole history.
   */
  takeClosedHistory(): HistoryRow[] {
    return this.earlier.splice(0, this.earlier.length);
  }

  /** Each touched entity's state and views as of its latest event, and the matching history rows. */
  writes(): { entities: EntityWrite[]; history: HistoryRow[] } {
    const entities: EntityWrite[] = [];
    const history: HistoryRow[] = [...this.earlier];
    for (const [entity, entries] of [['user', this.users], ['item', this.items]] as const) {
      for (const [id, entry] of entries) {
        const views = this.materialize(entity, entry.state);
        const eventTime = entry.state.time;
        entities.push({ entity, id, expectedToken: entry.writeToken, state: JSON.stringify(entry.state), views, eventTime });
        history.push(...historyRows(id, eventTime, views));
      }
    }
    return { entities, history };
  }

  /** Before an event of a later interval applies, the entity's views as of its last event become a history row. */
  private closeInterval(entity: EntityName, id: string, { state, changed }: Entry<UserState | ItemState>, time: number): void {
    const interval = this.options.historyIntervalMs;
    if (!changed || Math.floor(state.time / interval) >= Math.floor(time / interval)) return;
    // Only the views history keeps: the user's sequence is read from the event log.
    const views = entity === 'user' ? { [userActivity.name]: materializeUserActivity(state as UserState, this.options) } : this.materialize(entity, state);
    this.earlier.push(...historyRows(id, state.time, views));
  }

  private materialize(entity: EntityName, state: UserState | ItemState): Record<string, unknown> {
    return entity === 'user' ? materializeUser(state as UserState, this.options) : materializeItem(state as ItemState, this.options);
  }

  private entry<S>(entries: Map<string, Entry<S>>, entity: EntityName, id: string, empty: () => S): Entry<S> {
    let entry = entries.get(id);
    if (!entry) {
      const stored = this.load(entity, id);
      entry = { state: stored?.state ? (JSON.parse(stored.state) as S) : empty(), writeToken: stored?.writeToken ?? '', changed: false };
      entries.set(id, entry);
    }
    return entry;
  }
}

/** Views whose values go to feature_history (the others are read from the event log). */
const HISTORY_VIEWS: ReadonlySet<string> = new Set(FEATURE_VIEWS.filter((view) => view.offline === 'history').map((view) => view.name));

function historyRows(entityId: string, eventTime: number, views: Record<string, unknown>): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const view in views) if (HISTORY_VIEWS.has(view)) rows.push({ view, entityId, eventTime, values: views[view] });
  return rows;
}

function increment(covisits: Covisits, item: string, other: string): void {
  let counts = covisits.get(item);
  if (!counts) covisits.set(item, (counts = new Map()));
  counts.set(other, (counts.get(other) ?? 0) + 1);
}
