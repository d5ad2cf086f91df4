import { RowMap } from './row-map.js';

/**
 * Maps raw ids to table rows one to one (no hashing, so no collisions). A row
 * is created the first time an id is admitted; with `minCount` > 1 an id gets
 * a row only after that many sightings, so one-off ids cost no memory.
 */
export class IdMap {
  private rows = new RowMap();
  private readonly sightings = new Map<number, number>();
  private readonly freeRows: number[] = [];
  private rowIds: number[] = [];

  constructor(private readonly minCount = 1) {}

  /** Number of rows in use or free (the table must hold this many). */
  get capacity(): number {
    return this.rowIds.length;
  }

  get size(): number {
    return this.rows.size;
  }

  rowOf(id: number): number {
    return this.rows.get(id);
  }

  /** Raw id stored in `row`, or -1 for a free row. */
  idOf(row: number): number {
    return this.rowIds[row] ?? -1;
  }

  /**
   * Counts a sighting of `id` and returns its row, creating it when the id has
   * been seen `minCount` times (at once with `force`); -1 while it is still below that.
   */
  admit(id: number, force = false): { row: number; created: boolean } {
    const existing = this.rows.get(id);
    if (existing >= 0) return { row: existing, created: false };
    if (this.minCount > 1) {
      const seen = (this.sightings.get(id) ?? 0) + 1;
      if (seen < this.minCount && !force) {
        this.sightings.set(id, seen);
        return { row: -1, created: false };
      }
      this.sightings.delete(id);
    }
    const row = this.freeRows.pop() ?? this.rowIds.length;
    this.rowIds[row] = id;
    this.rows.set(id, row);
    return { row, created: true };
  }

  /** Frees the row of an expired id for reuse. */
  release(row: number): void {
    const id = this.rowIds[row];
    if (id === undefined || id === -1) return;
    this.rows.delete(id);
    this.rowIds[row] = -1;
    this.freeRows.push(row);
  }

  /** Forgets `id` entirely (its row and any sightings short of `minCount`); returns the row it had, or -1. */
  forget(id: number): number {
    this.sightings.delete(id);
    const row = this.rowOf(id);
    if (row >= 0) this.release(row);
    return row;
  }

  /** Raw id per row (-1 for free rows), for serialization. */
  exportIds(): Int32Array {
    return Int32Array.from(this.rowIds);
  }

  static fromIds(ids: Int32Array, minCount = 1): IdMap {
    const map = new IdMap(minCount);
    map.rows = new RowMap(ids.length);
    map.rowIds = Array.from(ids);
    ids.forEach((id, row) => {
      if (id === -1) map.freeRows.push(row);
      else map.rows.set(id, row);
    });
    return map;
  }
}
