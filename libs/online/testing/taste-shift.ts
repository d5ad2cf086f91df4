/**
 * A small generated stream with a planted change of taste, for the online
 * updater's tests: each user favours one category until `shiftAt`, then the
 * opposite one, and new items (in every category) appear at the shift and
 * are favoured as much as the old ones. Users click items of their
 * favourite category most of the time; every list served is logged as
 * exposures sharing a request_id with its clicks, and some clicks come
 * without a list (implicit positives). Deterministic by seed.
 */
import { createRandom, type Random } from '@recstream/models';
import type { InteractionEvent } from '@recstream/schemas';

export interface TasteShiftOptions {
  users: number;
  categories: number;
  itemsPerCategory: number;
  /** Items per category that only exist from the shift on. */
  newItemsPerCategory: number;
  /** Chance a click is on the user's favourite category rather than any item. */
  loyalty: number;
  /** Items per served list; a list gets at most one click. */
  listSize: number;
  /** Share of clicks that come without a served list. */
  implicitShare: number;
  start: number;
  /** Event time between consecutive actions. */
  stepMs: number;
  seed: number;
}

export const DEFAULT_TASTE_SHIFT_OPTIONS: TasteShiftOptions = {
  users: 200,
  categories: 8,
  itemsPerCategory: 25,
  newItemsPerCategory: 5,
  loyalty: 0.85,
  listSize: 4,
  implicitShare: 0.3,
  start: Date.UTC(2026, 2, 1),
  stepMs: 1_000,
  seed: 3,
};

export const shiftUserId = (u: number) => `su${u}`;
const itemId = (category: number, i: number) => `sc${category}-i${i}`;

export class TasteShiftWorld {
  readonly options: TasteShiftOptions;
  private readonly random: Random;
  private step = 0;
  private requests = 0;

  constructor(options: Partial<TasteShiftOptions> = {}) {
    this.options = { ...DEFAULT_TASTE_SHIFT_OPTIONS, ...options };
    this.random = createRandom(this.options.seed);
  }

  /** The user's favourite category before (`shifted` false) or after the shift. */
  favourite(u: number, shifted: boolean): number {
    const { categories } = this.options;
    const before = u % categories;
    return shifted ? (before + Math.floor(categories / 2)) % categories : before;
  }

  /** Items of a category that exist before the shift, or after it (old and new). */
  items(category: number, shifted: boolean): string[] {
    const { itemsPerCategory, newItemsPerCategory } = this.options;
    const count = itemsPerCategory + (shifted ? newItemsPerCategory : 0);
    return Array.from({ length: count }, (_, i) => itemId(category, i));
  }

  /** Every item that exists before or after the shift. */
  catalogue(shifted: boolean): string[] {
    return Array.from({ length: this.options.categories }, (_, c) => this.items(c, shifted)).flat();
  }

  /** Whether an item appears only from the shift on. */
  isNew(item: string): boolean {
    return Number(item.split('-i')[1]) >= this.options.itemsPerCategory;
  }

  /** The next `count` user actions (a served list with its click, or a lone click) as events, in event-time order. */
  events(count: number, shifted: boolean): InteractionEvent[] {
    const out: InteractionEvent[] = [];
    const o = this.options;
    const catalogue = this.catalogue(shifted);
    for (let n = 0; n < count; n++) {
      const u = this.random.int(o.users);
      const time = o.start + this.step++ * o.stepMs;
      const clicked = this.pickClick(u, shifted, catalogue);
      const user = shiftUserId(u);
      const base = { schema_version: 1 as const, user_id: user, context: { surface: 'home', device: 'mobile' as const } };
      if (this.random.next() < o.implicitShare) {
        out.push({ ...base, event_id: `ev-${this.step}-click`, event_time: time, type: 'click', item_id: clicked });
        continue;
      }
      const requestId = `req-${++this.requests}`;
      const list = [clicked, ...Array.from({ length: o.listSize - 1 }, () => catalogue[this.random.int(catalogue.length)]!)];
      list.forEach((item, position) =>
        out.push({ ...base, event_id: `${requestId}:${position}`, event_time: time, type: 'exposure', item_id: item, request_id: requestId, context: { ...base.context, position } }),
      );
      // Not every list is clicked: those become ranking negatives once their window closes.
      if (this.random.next() < 0.8) {
        out.push({ ...base, event_id: `ev-${this.step}-click`, event_time: time + 200, type: 'click', item_id: clicked, request_id: requestId });
      }
    }
    return out;
  }

  private pickClick(u: number, shifted: boolean, catalogue: string[]): string {
    if (this.random.next() >= this.options.loyalty) return catalogue[this.random.int(catalogue.length)]!;
    const favourites = this.items(this.favourite(u, shifted), shifted);
    return favourites[this.random.int(favourites.length)]!;
  }
}
