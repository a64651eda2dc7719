/**
 * The sysfs "cpulist" syntax (`%*pbl`, lib/bitmap-str.c bitmap_parselist()): comma-separated ids
 * or inclusive ranges, e.g. `0-7,16-23`. Also used for node lists (memory_tierN/nodelist).
 */

/** Largest id accepted by default: CONFIG_NR_CPUS is at most 8192 (x86 MAXSMP). */
export const CPULIST_MAX_ID = 8191;

const ITEM = /^(\d+)(?:-(\d+))?$/;

/**
 * Parses a cpulist into ascending, duplicate-free ids. `""` (or only whitespace, as a CPU-less
 * node's sysfs file holds) is the empty list. Throws a plain Error quoting the bad text; callers
 * wrap it in their own typed error with file/key context.
 */
export function parseCpulist(text: string, maxId = CPULIST_MAX_ID): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const ids = new Set<number>();
  for (const raw of trimmed.split(',')) {
    const item = raw.trim();
    const m = ITEM.exec(item);
    if (!m) throw new Error(`bad cpulist item ${JSON.stringify(item)} in ${JSON.stringify(text)}`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`bad cpulist range ${JSON.stringify(item)} in ${JSON.stringify(text)}: end before start`);
    if (hi > maxId) throw new Error(`cpulist ${JSON.stringify(text)}: id ${hi} is above the limit ${maxId}`);
    for (let id = lo; id <= hi; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Formats ids as a cpulist the way the kernel prints one (`%*pbl`): runs of two or more become `a-b`. */
export function formatCpulist(cpus: readonly number[]): string {
  const ids = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < ids.length) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(i === j ? `${ids[i]}` : `${ids[i]}-${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
