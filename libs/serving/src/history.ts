/** The last `length` of `history`, oldest first, left-padded with -1: one row of `Batch.history`. */
export function historyRow(history: readonly number[], length: number): Int32Array {
  if (length === 0) return new Int32Array(0);
  const row = new Int32Array(length).fill(-1);
  const recent = history.slice(-length);
  row.set(recent, length - recent.length);
  return row;
}
