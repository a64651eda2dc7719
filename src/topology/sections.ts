/**
 * Memory sections and pfn ranges that do not start on one. The kernel gives each memory section
 * (SECTION_SIZE_BITS 27 on x86-64: 128 MiB, 2^15 pages of 4 KiB) to the node of its first pfn; pghot
 * keys its hot maps and kmigrated walks on that (mm/pghot.c), so a range that starts mid-section
 * shares its first section with whatever owns the section's first pfn.
 */
import { memoryTiers, type Topology } from '../engine/topology.js';

/** x86-64 SECTION_SIZE_BITS. */
export const SECTION_SIZE_BITS = 27;

/** PAGES_PER_SECTION for a page size in bytes. */
export function pagesPerSection(pageSize = 4096): number {
  return 2 ** (SECTION_SIZE_BITS - Math.log2(pageSize));
}

/** One range whose start is not on a section boundary, and what owns that section. */
export interface UnalignedRange {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  /** Section number and its first pfn. */
  readonly section: number;
  readonly section_start: number;
  /** Node of the section's first pfn (its owner), or null when that pfn is in no range (or a device range). */
  readonly owner: number | null;
  /** The pages of this range inside that section: [start, min(end, next section)). */
  readonly affected_end: number;
  /** What pghot does with those pages. */
  readonly effect: 'not_recorded' | 'never_walked' | 'none';
}

/** Ranges (ascending by start) that start mid-section on a section owned by another node or by nobody. */
export function unalignedRanges(topo: Topology, pageSize = 4096): UnalignedRange[] {
  const pps = pagesPerSection(pageSize);
  const tiers = new Map(memoryTiers(topo).nodes.map((t) => [t.id, t]));
  const all = topo.nodes.flatMap((n) => n.pfn_ranges.map((r) => ({ node: n.id, ...r }))).sort((a, b) => a.start - b.start);
  // The ranges never overlap (parse.ts), so the one holding `pfn`, if any, is the last to start at or before it:
  // a binary search, not a scan (400 000 ranges took minutes with one scan per range).
  const ownerOf = (pfn: number): number | null => {
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (all[mid]!.start <= pfn) lo = mid + 1;
      else hi = mid;
    }
    const r = lo > 0 ? all[lo - 1]! : undefined;
    return r === undefined || pfn >= r.end || r.kind === 'device' ? null : r.node;
  };
  const out: UnalignedRange[] = [];
  for (const r of all) {
    if (r.start % pps === 0) continue;
    const section = Math.floor(r.start / pps);
    const section_start = section * pps;
    const owner = ownerOf(section_start);
    if (owner === r.node) continue;
    const self = tiers.get(r.node)!;
    const effect = self.toptier
      ? 'none' // top-tier pages are never tracked
      : owner === null || tiers.get(owner)!.toptier
        ? 'not_recorded' // the section has no hot map
        : 'never_walked'; // the owner's kmigrated walks it and skips this node's pages
    out.push({ node: r.node, start: r.start, end: r.end, section, section_start, owner, affected_end: Math.min(r.end, section_start + pps), effect });
  }
  return out;
}
