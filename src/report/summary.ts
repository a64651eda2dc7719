/** Plain-language facts derived from a replay summary, shared by the table and json renderers. */
import type { Topology } from '../engine/topology.js';
import type { IgnoredReason, ReplaySummary } from '../engine/types.js';

/** Records no daemon will ever examine, in total. */
export function unexaminedTotal(s: ReplaySummary): number {
  return s.unexamined.reduce((a, u) => a + u.records, 0);
}

/** One warning line per hot_node that has no kpromoted daemon, saying why; empty when none. */
export function unexaminedWarnings(s: ReplaySummary, topo: Topology): string[] {
  return s.unexamined.map(({ hot_node, records, reason }) => {
    const node = topo.nodes.find((n) => n.id === hot_node);
    if (reason !== undefined) {
      return `warning: ${records} READY record${records === 1 ? '' : 's'} for target node ${hot_node} will never be migrated: ${reason}`;
    }
    const why = node
      ? `node ${hot_node} has no CPUs, and kpromoted runs only on nodes with CPUs (N_CPU)`
      : `node ${hot_node} is not in the topology`;
    return `warning: ${records} record${records === 1 ? '' : 's'} with hot_node ${hot_node} will never be examined: ${why}; they stay in the hash table for good`;
  });
}

const REASON_TEXT: Record<IgnoredReason, string> = {
  no_range: 'in no pfn range',
  nonlru: 'in a non-LRU range',
  device: 'in a ZONE_DEVICE range',
  no_hot_map: 'in a section without hot map',
};

const hex = (pfn: number | null) => (pfn === null ? '-' : `0x${pfn.toString(16)}`);
const pct = (share: number) => `${(100 * share).toFixed(2)}%`;

/** Accesses ignored without a counter, in total. */
export function ignoredTotal(s: ReplaySummary): number {
  return s.ignored.reduce((a, i) => a + i.accesses, 0);
}

/**
 * Summary-table rows for ignored accesses: one total row (`0` when none), then one row per reason that
 * happened: `12 (1.20%), pfn 0x500000 .. 0x5fffff`.
 */
export function ignoredRows(s: ReplaySummary): [string, string][] {
  const rows: [string, string][] = [['accesses ignored (no counter)', String(ignoredTotal(s))]];
  for (const i of s.ignored) {
    if (i.accesses === 0) continue;
    rows.push([`  ${REASON_TEXT[i.reason]}`, `${i.accesses} (${pct(i.share)}), pfn ${hex(i.lowest_pfn)} .. ${hex(i.highest_pfn)}`]);
  }
  return rows;
}

/** Lowest start and highest end over all of a topology's pfn ranges, or null when it has none. */
function span(topo: Topology): { start: number; end: number } | null {
  let start = Infinity;
  let end = -1;
  for (const n of topo.nodes) {
    for (const r of n.pfn_ranges) {
      start = Math.min(start, r.start);
      end = Math.max(end, r.end);
    }
  }
  return end < 0 ? null : { start, end };
}

/**
 * The stderr warning when accesses fell in no pfn range of the topology ('' when none did): how many,
 * their pfns, what the topology covers, and the fix. `defaulted`: the user never chose the topology (the
 * default preset was used), which is the usual cause with a real machine's trace.
 */
export function noRangeWarning(s: ReplaySummary, topo: Topology, defaulted: boolean): string {
  const i = s.ignored.find((x) => x.reason === 'no_range');
  if (i === undefined || i.accesses === 0) return '';
  const sp = span(topo);
  const covers = sp === null ? 'has no pfn ranges' : `covers pfn ${hex(sp.start)} .. ${hex(sp.end - 1)}`;
  let out =
    `kpromo: warning: ${i.accesses} of ${s.records} accesses (${pct(i.share)}) fell in no pfn range of topology ` +
    `${topo.name} (pfn ${hex(i.lowest_pfn)} .. ${hex(i.highest_pfn)}); the engine ignores them ` +
    `(pfn_to_online_page() is NULL) and no counter shows them\n`;
  if (defaulted) {
    out += `kpromo: no --topology was given, so the default preset ${topo.name} was used: a made-up machine that ${covers}\n`;
  } else {
    out += `kpromo: topology ${topo.name} ${covers}\n`;
  }
  out +=
    `kpromo: fix: describe the machine the trace was taken on: kpromo topo --from-sysfs /sys > machine.json ` +
    `(run there), then replay with --topology machine.json; or give a topology whose ranges cover the trace\n`;
  return out;
}
