/** Splitting a list of configurations into parts (worker slices, reads of a sweep, shards). */

/** Splits `items` into `parts` contiguous slices whose sizes differ by at most one (the larger ones first). */
export function slices<T>(items: readonly T[], parts: number): T[][] {
  const n = Math.max(1, Math.min(parts, items.length));
  const out: T[][] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const size = Math.floor(items.length / n) + (i < items.length % n ? 1 : 0);
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}
