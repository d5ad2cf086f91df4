/**
 * The indices of `keys` from the largest key to the smallest, equal keys in
 * index order: what a stable `sort((a, b) => keys[b] - keys[a])` gives. A
 * bottom-up merge sort over typed arrays, because Array.prototype.sort calls
 * its comparator for every comparison, which cost more than the rest of
 * rerank (docs/decisions/serving-request-path-cpu.md); the shortlist sorts
 * every recalled candidate.
 */
export function descendingOrder(keys: ArrayLike<number>): Int32Array {
  const n = keys.length;
  let from = new Int32Array(n);
  let to = new Int32Array(n);
  for (let i = 0; i < n; i++) from[i] = i;
  for (let width = 1; width < n; width *= 2) {
    for (let start = 0; start < n; start += 2 * width) {
      const middle = Math.min(start + width, n);
      const end = Math.min(start + 2 * width, n);
      let left = start;
      let right = middle;
      let out = start;
      while (left < middle && right < end) to[out++] = keys[from[right]!]! > keys[from[left]!]! ? from[right++]! : from[left++]!;
      while (left < middle) to[out++] = from[left++]!;
      while (right < end) to[out++] = from[right++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}
