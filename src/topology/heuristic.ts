/**
 * Guessing abstract distances when a machine description carries no memory-tier information
 * (numactl output, or a sysfs copy without /sys/devices/virtual/memory_tiering).
 */
import { MEMTIER_ADISTANCE_DRAM } from '../engine/topology.js';

/** MEMTIER_DEFAULT_DAX_ADISTANCE (drivers/dax/kmem.c): 5 * MEMTIER_ADISTANCE_DRAM, tier 22. */
export const ADISTANCE_SLOW = 2880;

/** What the heuristic needs to know about a node. */
export interface NodeFacts {
  readonly id: number;
  readonly hasCpus: boolean;
}

/** SLIT distance from node `from` to node `to`, or undefined when unknown. */
export type DistanceFn = (from: number, to: number) => number | undefined;

/**
 * Abstract distance per node id. Nodes with CPUs are DRAM (576). A CPU-less node is slow memory
 * (2880, what dax/kmem gives CXL memory) when its SLIT distance from EVERY CPU node is greater than
 * the smallest distance between two different CPU nodes (with a single CPU node: greater than that
 * node's local distance); otherwise it is as near as a remote socket and counts as DRAM (576).
 * Without any distance information a CPU-less node is taken to be slow memory.
 * Caveat: a CXL node closer to its host socket than the other socket is classed as DRAM; the
 * kernel would need HMAT/CDAT data to tell, so give such nodes an explicit adistance.
 */
export function guessAdistances(nodes: readonly NodeFacts[], distance: DistanceFn): Map<number, number> {
  const cpuNodes = nodes.filter((n) => n.hasCpus).map((n) => n.id);
  let threshold: number | undefined;
  for (const a of cpuNodes) {
    for (const b of cpuNodes) {
      if (a === b && cpuNodes.length > 1) continue;
      const d = distance(a, b);
      if (d !== undefined && (threshold === undefined || d < threshold)) threshold = d;
    }
  }
  const out = new Map<number, number>();
  for (const n of nodes) {
    if (n.hasCpus) {
      out.set(n.id, MEMTIER_ADISTANCE_DRAM);
      continue;
    }
    let far = true;
    if (threshold !== undefined) {
      for (const c of cpuNodes) {
        const d = distance(c, n.id);
        if (d !== undefined && d <= threshold) far = false;
      }
    }
    out.set(n.id, far ? ADISTANCE_SLOW : MEMTIER_ADISTANCE_DRAM);
  }
  return out;
}
