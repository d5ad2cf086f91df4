import type { Random } from '@recstream/models';

/** The items seen so far, in first-seen order, for drawing negatives uniformly. */
export class ItemPool {
  private readonly items: string[];
  private readonly known: Set<string>;

  constructor(items: readonly string[] = []) {
    this.items = [...items];
    this.known = new Set(items);
  }

  add(item: string): void {
    if (this.known.has(item)) return;
    this.known.add(item);
    this.items.push(item);
  }

  /** A uniform draw that `accept` takes, within `attempts` tries; undefined if none was. */
  draw(random: Random, accept: (item: string) => boolean, attempts: number): string | undefined {
    if (this.items.length === 0) return undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const item = this.items[random.int(this.items.length)]!;
      if (accept(item)) return item;
    }
    return undefined;
  }

  export(): string[] {
    return [...this.items];
  }
}
