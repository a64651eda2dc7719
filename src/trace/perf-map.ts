/**
 * perf samples -> kpromoted access records: pfn from phys_addr, nid from the sample's CPU, time in
 * jiffies, and the reasons a sample gives no record.
 */
import { UsageError } from '../errors.js';
import type { Topology } from '../engine/topology.js';

/** Why a sample line gave no access record; counted in PerfReadStats.skipped. */
export const PERF_SKIP_REASONS = [
  'phys_addr_zero',
  'phys_addr_missing',
  'cpu_not_in_topology',
  'other_event',
  'bad_line',
] as const;

/** One of PERF_SKIP_REASONS. */
export type PerfSkipReason = (typeof PERF_SKIP_REASONS)[number];

/**
 * Where an access's nid comes from (`--nid`): `cpu` = the node whose `cpus` hold the sample's CPU;
 * `none` = -1 (NUMA_NO_NODE); a number = that node for every sample (`--nid 0` is what the RFC's
 * IBS driver does: it never stored the node, so every access reached kpromoted with nid 0).
 */
export type NidMode = 'cpu' | 'none' | number;

/** Parses a `--nid` value: `cpu`, `none` or a node number >= 0. */
export function parseNidMode(text: string): NidMode {
  if (text === 'cpu' || text === 'none') return text;
  if (/^(0|[1-9][0-9]{0,8})$/.test(text)) return Number(text);
  throw new UsageError(`--nid: expected cpu, none or a node number, got ${JSON.stringify(text)}`);
}

/** INITIAL_JIFFIES (include/linux/jiffies.h): `(unsigned long)(unsigned int)(-300*HZ)` = 2^32 - 300*HZ. */
export function initialJiffies(hz: number): number {
  return 2 ** 32 - 300 * hz;
}

/** Checks `--hz`: an integer with 300*HZ < 2^32, so INITIAL_JIFFIES is positive. */
export function checkHz(hz: number): void {
  if (!Number.isInteger(hz) || hz < 1 || 300 * hz >= 2 ** 32) {
    throw new UsageError(`--hz: expected an integer from 1 to ${Math.floor((2 ** 32 - 1) / 300)}, got ${JSON.stringify(hz)}`);
  }
}

/** Checks `--page-size`: a power of two from 1 to 2^30; returns it. */
export function checkPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 2 ** 30 || (size & (size - 1)) !== 0) {
    throw new UsageError(`--page-size: expected a power of two (e.g. 4096), got ${JSON.stringify(size)}`);
  }
  return size;
}

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000];

/**
 * Jiffies for a perf time `sec.frac` (frac has `fracDigits` digits):
 * INITIAL_JIFFIES + floor((sec + frac / 10^fracDigits) * HZ), computed exactly in integers
 * (sec*HZ is an integer; only frac*HZ / 10^d needs a floor). Returns -1 when the result is not below
 * 2^53 (SPEC 1: time is an integer in [0, 2^53)).
 */
export function perfTimeToJiffies(sec: number, frac: number, fracDigits: number, hz: number): number {
  const base = initialJiffies(hz);
  // sec*HZ must stay exact and the sum below 2^53.
  if (sec > (Number.MAX_SAFE_INTEGER - base - hz) / hz) return -1;
  const d = POW10[fracDigits]!;
  const a = frac * hz; // < 10^9 * 2^32/300 < 2^53: exact
  let q = Math.floor(a / d);
  // Correct a quotient rounded across an integer boundary.
  if (q * d > a) q--;
  else if ((q + 1) * d <= a) q++;
  return base + sec * hz + q;
}

/** Table CPU -> node from the topology's `cpus`; -1 for a CPU in no node. */
export function cpuNodeTable(topo: Topology): Int32Array {
  let max = -1;
  for (const n of topo.nodes) for (const c of n.cpus) if (c > max) max = c;
  const t = new Int32Array(max + 1).fill(-1);
  for (const n of topo.nodes) for (const c of n.cpus) t[c] = n.id;
  return t;
}

/**
 * The default event filter (no `--event`): memory-access sampling events, by the names perf gives
 * them (tools/perf/arch/x86/util/mem-events.c, perf-amd-ibs.txt):
 * - AMD IBS op: PMU `ibs_op` with any terms and modifiers (`ibs_op//`, `ibs_op/l3missonly=1/p`, ...);
 * - Intel PEBS loads/stores: any name containing `mem-loads` or `mem-stores`
 *   (`cpu/mem-loads,ldlat=30/P`, `cpu_core/mem-stores/P`, `mem-loads:pp`), except the
 *   `mem-loads-aux` group leader, and raw load-latency events (`ldlat=` in the terms).
 * Everything else (cycles, dummy, tracepoints, IBS fetch) is counted as other_event.
 */
export function isMemoryEvent(name: string): boolean {
  if (name.startsWith('ibs_op/') || name === 'ibs_op' || name.startsWith('ibs_op:')) return true;
  if (name.includes('mem-stores')) return true;
  if (name.includes('mem-loads')) return !name.includes('mem-loads-aux') || name.includes('mem-loads,');
  return name.includes('ldlat=');
}
