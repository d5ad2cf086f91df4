/**
 * Maps our string ids (users, items, context values) to the dense integers
 * model batches carry. Append-only, so ids keep their number for the life of
 * a model, and saved with the model, so serving encodes exactly as training did.
 */
export class Vocabulary {
  private readonly ids = new Map<string, number>();

  constructor(keys: readonly string[] = []) {
    for (const key of keys) this.ids.set(key, this.ids.size);
  }

  /** The key's id; a new key gets the next id when `grow`, else -1 (unknown). */
  id(key: string, grow: boolean): number {
    const id = this.ids.get(key);
    if (id !== undefined) return id;
    if (!grow) return -1;
    this.ids.set(key, this.ids.size);
    return this.ids.size - 1;
  }

  has(key: string): boolean {
    return this.ids.has(key);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Keys in id order. */
  keys(): string[] {
    return [...this.ids.keys()];
  }
}
