/** The last `length` of `history`, oldest first, left-padded with -1: one row of `Batch.history`. */
export function historyRow(history: readonly number[], length: number): Int32Array {
  const row = new Int32Array(length).fill(-1);
  const recent = history.slice(-length);
  row.set(recent, length - recent.length);
  return row;
}
