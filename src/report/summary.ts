/** Plain-language facts derived from a replay summary, shared by the table and json renderers. */
import type { Topology } from '../engine/topology.js';
import type { ReplaySummary } from '../engine/types.js';

/** Records no daemon will ever examine, in total. */
export function unexaminedTotal(s: ReplaySummary): number {
  return s.unexamined.reduce((a, u) => a + u.records, 0);
}

/** One warning line per hot_node that has no kpromoted daemon, saying why; empty when none. */
export function unexaminedWarnings(s: ReplaySummary, topo: Topology): string[] {
  return s.unexamined.map(({ hot_node, records }) => {
    const node = topo.nodes.find((n) => n.id === hot_node);
    const why = node
      ? `node ${hot_node} has no CPUs, and kpromoted runs only on nodes with CPUs (N_CPU)`
      : `node ${hot_node} is not in the topology`;
    return `warning: ${records} record${records === 1 ? '' : 's'} with hot_node ${hot_node} will never be examined: ${why}; they stay in the hash table for good`;
  });
}
