/**
 * Abstract distances for a topology built from a machine (sysfs or numactl), and where each came from.
 *
 * The kernel (mm/memory-tiers.c, drivers/dax/kmem.c): memory present at boot gets
 * MEMTIER_ADISTANCE_DRAM (576) unless HMAT/CDAT performance data says otherwise; memory onlined through
 * dax/kmem (CXL expanders, PMem as system RAM) gets MEMTIER_DEFAULT_DAX_ADISTANCE = 5 * 576 = 2880 unless
 * HMAT/CDAT data says otherwise. Without the machine's memory_tiering files kpromo cannot know which
 * path a node took, so it assumes what is by far the usual case: a node with CPUs is DRAM, a CPU-less
 * node is dax/kmem memory (2880). `--dram-nodes` / `--slow-nodes` override that for the rare CPU-less
 * DRAM or HBM node (or anything else); the tier files, when present, are read instead.
 */
import { MEMTIER_ADISTANCE_DRAM } from '../engine/topology.js';
import { UsageError } from '../errors.js';
import { parseCpulist } from './cpulist.js';
import { MAX_NODE_ID } from './parse.js';

/** MEMTIER_DEFAULT_DAX_ADISTANCE (drivers/dax/kmem.c): MEMTIER_ADISTANCE_DRAM * 5, tier 22. */
export const MEMTIER_DEFAULT_DAX_ADISTANCE = MEMTIER_ADISTANCE_DRAM * 5;

/** Where a node's abstract distance came from. */
export type TierSource =
  | 'tier_file' // read: memory_tiering/memory_tierT/nodelist
  | 'cpu_node' // assumed: a node with CPUs is DRAM
  | 'dax_default' // assumed: a CPU-less node is dax/kmem memory
  | 'dram_override' // --dram-nodes
  | 'slow_override'; // --slow-nodes

/** One node's abstract distance and its origin. */
export interface TierOrigin {
  readonly node: number;
  readonly adistance: number;
  readonly source: TierSource;
  /** For tier_file: the tier number read. */
  readonly tier?: number;
}

/** Nodes the user declared DRAM (576) or slow (2880), whatever the machine description says. */
export interface TierOverrides {
  readonly dram?: readonly number[];
  readonly slow?: readonly number[];
}

/** Parses `--dram-nodes` / `--slow-nodes` values (node lists like `2,4-5`); a node in both is an error. */
export function parseTierOverrides(dram: string | undefined, slow: string | undefined): TierOverrides {
  const parse = (flag: string, text: string | undefined): number[] | undefined => {
    if (text === undefined) return undefined;
    try {
      const ids = parseCpulist(text, MAX_NODE_ID);
      if (ids.length === 0) throw new Error('empty node list');
      return ids;
    } catch (e) {
      throw new UsageError(`${flag}: ${(e as Error).message}`);
    }
  };
  const d = parse('--dram-nodes', dram);
  const s = parse('--slow-nodes', slow);
  const both = d?.filter((id) => s?.includes(id)) ?? [];
  if (both.length > 0) throw new UsageError(`node ${both.join(',')} is in both --dram-nodes and --slow-nodes`);
  return { ...(d ? { dram: d } : {}), ...(s ? { slow: s } : {}) };
}

/** The middle of tier T: `T * 128 + 64`, so `adistance >> 7 == T` again. */
export function tierMidpoint(tier: number): number {
  return tier * 128 + 64;
}

/**
 * Abstract distance and origin of every node: an override wins, then a tier read from the machine, then
 * the assumption (CPUs: 576, CPU-less: 2880). Overrides naming a node that does not exist are an error
 * naming `source`.
 */
export function assignTiers(
  nodes: ReadonlyArray<{ readonly id: number; readonly hasCpus: boolean }>,
  readTiers: ReadonlyMap<number, number>,
  overrides: TierOverrides,
  source: string,
): TierOrigin[] {
  const ids = new Set(nodes.map((n) => n.id));
  for (const [flag, list] of [['--dram-nodes', overrides.dram], ['--slow-nodes', overrides.slow]] as const) {
    for (const id of list ?? []) {
      if (!ids.has(id)) throw new UsageError(`${flag}: ${source} has no node ${id} (nodes ${[...ids].join(', ')})`);
    }
  }
  return nodes.map((n): TierOrigin => {
    if (overrides.dram?.includes(n.id)) return { node: n.id, adistance: MEMTIER_ADISTANCE_DRAM, source: 'dram_override' };
    if (overrides.slow?.includes(n.id)) return { node: n.id, adistance: MEMTIER_DEFAULT_DAX_ADISTANCE, source: 'slow_override' };
    const tier = readTiers.get(n.id);
    if (tier !== undefined) return { node: n.id, adistance: tierMidpoint(tier), source: 'tier_file', tier };
    return n.hasCpus
      ? { node: n.id, adistance: MEMTIER_ADISTANCE_DRAM, source: 'cpu_node' }
      : { node: n.id, adistance: MEMTIER_DEFAULT_DAX_ADISTANCE, source: 'dax_default' };
  });
}

const SOURCE_TEXT: Record<TierSource, string> = {
  tier_file: 'read from memory_tiering',
  cpu_node: 'assumed DRAM (node with CPUs, no tier file)',
  dax_default: 'assumed dax/kmem memory, MEMTIER_DEFAULT_DAX_ADISTANCE (CPU-less, no tier file)',
  dram_override: 'set by --dram-nodes',
  slow_override: 'set by --slow-nodes',
};

/** One line per origin that occurs: `tiers read from memory_tiering: nodes 0,1 (tier 4)`, ... */
export function describeTiers(tiers: readonly TierOrigin[]): string[] {
  const lines: string[] = [];
  for (const src of Object.keys(SOURCE_TEXT) as TierSource[]) {
    const group = tiers.filter((t) => t.source === src);
    if (group.length === 0) continue;
    const byAd = new Map<number, number[]>();
    for (const t of group) byAd.set(t.adistance, [...(byAd.get(t.adistance) ?? []), t.node]);
    const parts = [...byAd].map(([ad, ids]) => `node${ids.length > 1 ? 's' : ''} ${ids.join(',')} at ${ad} (tier ${ad >> 7})`);
    lines.push(`tiers ${SOURCE_TEXT[src]}: ${parts.join('; ')}`);
  }
  return lines;
}
