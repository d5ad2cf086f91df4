/** One observed interaction; `context` values follow `FeatureSpec.contextFields`. */
export interface Interaction {
  userId: number;
  itemId: number;
  /** Milliseconds since the epoch; orders a user's history. */
  timestamp: number;
  context?: number[];
  /** Explicit label for CTR data (1 click, 0 exposure only); implicit data leaves it out (all positive). */
  label?: number;
}

/** Interactions per user, oldest first (ties keep input order). */
export function groupByUser(interactions: Iterable<Interaction>): Map<number, Interaction[]> {
  const byUser = new Map<number, Interaction[]>();
  for (const interaction of interactions) {
    const list = byUser.get(interaction.userId);
    if (list) list.push(interaction);
    else byUser.set(interaction.userId, [interaction]);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.timestamp - b.timestamp);
  return byUser;
}

/**
 * Writes the `length` items before position `end` of `sequence` into `out` at
 * `offset`, oldest first and left-padded with -1 (the layout of `Batch.history`).
 */
export function writeHistory(sequence: Interaction[], end: number, length: number, out: Int32Array, offset: number): void {
  const start = Math.max(0, end - length);
  const pad = length - (end - start);
  out.fill(-1, offset, offset + pad);
  for (let j = start; j < end; j++) out[offset + pad + j - start] = sequence[j]!.itemId;
}
