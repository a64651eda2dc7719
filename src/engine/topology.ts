/**
 * The memory topology the engine models: nodes with CPUs, abstract distance and pfn ranges.
 * This is the validated, normalized form; src/topology/ turns JSON files and presets into it.
 */

/** Kind of the pages in a pfn range (SPEC 2.1). */
export type RangeKind = 'lru' | 'nonlru' | 'device';

/** A half-open pfn range `[start, end)` owned by one node. */
export interface PfnRange {
  readonly start: number;
  readonly end: number;
  readonly kind: RangeKind;
}

/** One NUMA node. */
export interface NodeSpec {
  readonly id: number;
  /** CPU ids, ascending, no duplicates; empty for a memory-only node. */
  readonly cpus: readonly number[];
  /** Abstract distance (mm/memory-tiers.c); DRAM is 576. */
  readonly adistance: number;
  /** Ranges ascending by start, never overlapping. Empty: a node without memory. */
  readonly pfn_ranges: readonly PfnRange[];
  /** Free-page budget; null means the node never runs out. */
  readonly free_pages: number | null;
  /** high_wmark_pages(zone); 0 when not given. */
  readonly high_wmark_pages: number;
}

/** A validated topology. */
export interface Topology {
  readonly name: string;
  /** Nodes ascending by id. */
  readonly nodes: readonly NodeSpec[];
}

/** MEMTIER_CHUNK_BITS in mm/memory-tiers.c: a tier is 128 adistance units wide. */
export const MEMTIER_CHUNK_BITS = 7;
/** MEMTIER_ADISTANCE_DRAM = 4 * 128 + 64. */
export const MEMTIER_ADISTANCE_DRAM = 576;

/** Per-node tier facts derived from a topology (SPEC 3.2). */
export interface NodeTier {
  readonly id: number;
  /** `adistance >> 7`, or null for a node without memory (it belongs to no tier). */
  readonly tier: number | null;
  /** node_is_toptier(): tier not slower than the slowest tier holding a node with CPUs and memory. */
  readonly toptier: boolean;
  /** A kpromoted daemon runs on this node (it has CPUs: N_CPU). */
  readonly has_daemon: boolean;
  readonly has_memory: boolean;
}

/** The tier of every node and the top-tier boundary, as mm/memory-tiers.c computes them. */
export interface MemoryTiers {
  /** Slowest tier that holds a node with both CPUs and memory; null if there is none. */
  readonly top_tier: number | null;
  readonly nodes: readonly NodeTier[];
}

/** Computes memory tiers and node_is_toptier() for every node (establish_demotion_targets()). */
export function memoryTiers(topo: Topology): MemoryTiers {
  let top: number | null = null;
  for (const n of topo.nodes) {
    if (n.cpus.length > 0 && n.pfn_ranges.length > 0) {
      const t = n.adistance >> MEMTIER_CHUNK_BITS;
      if (top === null || t > top) top = t;
    }
  }
  const nodes = topo.nodes.map((n): NodeTier => {
    const has_memory = n.pfn_ranges.length > 0;
    const tier = has_memory ? n.adistance >> MEMTIER_CHUNK_BITS : null;
    // node_is_toptier(): no memtier -> true; else adistance_start <= top_tier_adistance.
    // top_tier_adistance starts at 0 and only moves when some tier holds a CPU node.
    const toptier = tier === null ? true : tier <= (top ?? 0);
    return { id: n.id, tier, toptier, has_daemon: n.cpus.length > 0, has_memory };
  });
  return { top_tier: top, nodes };
}
