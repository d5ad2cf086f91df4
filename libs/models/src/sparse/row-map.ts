const EMPTY = -1;
const MIN_CAPACITY = 16;

/**
 * int32 id -> non-negative row, in one Int32Array of [id, row] slots (open
 * addressing, linear probing, at most half full). A lookup touches one or
 * two adjacent slots where a `Map` follows a bucket to an entry elsewhere:
 * serving looks up a few hundred random rows per request, and those cache
 * misses dominated the gather (docs/decisions/sparse-tables-outside-autograd.md).
 */
export class RowMap {
  private slots: Int32Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = MIN_CAPACITY) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(MIN_CAPACITY, capacity * 2)));
    this.slots = new Int32Array(size * 2).fill(EMPTY);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
  }

  get size(): number {
    return this.count;
  }

  /** The row of `id`, or -1. */
  get(id: number): number {
    const { slots, mask } = this;
    for (let slot = this.home(id); ; slot = (slot + 1) & mask) {
      const row = slots[2 * slot + 1]!;
      if (row === EMPTY || slots[2 * slot] === id) return row;
    }
  }

  set(id: number, row: number): void {
    if (row < 0) throw new RangeError(`rows are non-negative, got ${row} for id ${id}`);
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const { slots, mask } = this;
    let slot = this.home(id);
    while (slots[2 * slot + 1] !== EMPTY && slots[2 * slot] !== id) slot = (slot + 1) & mask;
    if (slots[2 * slot + 1] === EMPTY) this.count++;
    slots[2 * slot] = id;
    slots[2 * slot + 1] = row;
  }

  /** Removes `id`; true if it was there. Later slots of the probe run move back, so no tombstones build up. */
  delete(id: number): boolean {
    const { slots, mask } = this;
    let hole = this.home(id);
    while (slots[2 * hole] !== id || slots[2 * hole + 1] === EMPTY) {
      if (slots[2 * hole + 1] === EMPTY) return false;
      hole = (hole + 1) & mask;
    }
    for (let slot = (hole + 1) & mask; slots[2 * slot + 1] !== EMPTY; slot = (slot + 1) & mask) {
      // An entry may fill the hole only if its home is not cyclically within (hole, slot].
      const home = this.home(slots[2 * slot]!);
      const stays = hole <= slot ? hole < home && home <= slot : hole < home || home <= slot;
      if (stays) continue;
      slots[2 * hole] = slots[2 * slot]!;
      slots[2 * hole + 1] = slots[2 * slot + 1]!;
      hole = slot;
    }
    slots[2 * hole + 1] = EMPTY;
    this.count--;
    return true;
  }

  /** Fibonacci hashing: the top bits of id * 2^32 / phi, so nearby ids land far apart. */
  private home(id: number): number {
    return Math.imul(id, 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Int32Array(size * 2).fill(EMPTY);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    this.count = 0;
    for (let slot = 0; slot < old.length / 2; slot++) if (old[2 * slot + 1] !== EMPTY) this.set(old[2 * slot]!, old[2 * slot + 1]!);
  }
}
