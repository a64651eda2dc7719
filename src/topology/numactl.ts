/**
 * A topology from `numactl -H` output (numactl.c hardware(): "available: %d nodes (...)",
 * "node %d cpus:" + " %d" per cpu (or " a-b," runs and " (n)" with --cpu-compress),
 * "node %d size: %llu MB", "node %d free: ...", then print_distances(): "node distances:",
 * a header "node " + "% 3d " per node, and rows "% 3d: " + "% 3d " per node).
 *
 * numactl gives sizes, not physical ranges, so the nodes' memory is laid out contiguously from
 * pfn 0 in node id order, MB * 2^20 / page size pages each (256 with 4 KiB pages). Pfns of a real trace
 * will not line up with these ranges; use sysfs (readSysfs) when they must. The distance table is
 * read and checked, but tiers do not come from it (see tiers.ts).
 */
import { TopologyError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { parseCpulist } from './cpulist.js';
import { MAX_NODE_ID, parseTopology } from './parse.js';
import type { BuildOptions, BuiltTopology } from './sysfs.js';
import { assignTiers } from './tiers.js';

const AVAILABLE = /^available:\s+(\d+)\s+nodes?\s+\(([^)]*)\)$/;
const CPUS = /^node\s+(\d+)\s+cpus:(.*)$/;
const SIZE = /^node\s+(\d+)\s+size:\s+(?:(\d+)\s+MB|<not available>)$/;
const FREE = /^node\s+(\d+)\s+free:\s+(?:\d+\s+MB|<not available>)$/;
const HEADER = /^node((?:\s+\d+)+)$/;
const ROW = /^(\d+):((?:\s+\d+)+)$/;

interface NodeInfo {
  cpus?: string;
  sizeMb?: number;
}

/** The topology of readNumactl() alone (4 KiB pages, no overrides). */
export function topologyFromNumactl(text: string, source: string): Topology {
  return readNumactl(text, source).topology;
}

/** Parses `numactl -H` output; `source` names the file in errors (paths are `line N`). */
export function readNumactl(text: string, source: string, opts: BuildOptions = {}): BuiltTopology {
  const pageSize = opts.pageSize ?? 4096;
  if (!Number.isInteger(pageSize) || pageSize < 512 || pageSize > 1048576 || (pageSize & (pageSize - 1)) !== 0) {
    throw new TopologyError(source, '', `page size must be a power of two from 512 to 1048576, got ${pageSize}`);
  }
  const pagesPerMb = 1048576 / pageSize;
  const info = new Map<number, NodeInfo>();
  let available: number[] | undefined;
  let header: number[] | undefined;
  const dist = new Map<number, Map<number, number>>();
  let inDistances = false;

  const fail = (line: number, message: string): never => {
    throw new TopologyError(source, `line ${line}`, message);
  };
  const node = (id: string, line: number): NodeInfo => {
    const n = Number(id);
    if (n > MAX_NODE_ID) fail(line, `node id ${n} is above ${MAX_NODE_ID}`);
    let i = info.get(n);
    if (!i) info.set(n, (i = {}));
    return i;
  };

  text.split(/\r?\n/).forEach((raw, idx) => {
    const ln = idx + 1;
    const line = raw.trim();
    if (line === '') return;
    let m: RegExpExecArray | null;
    if (inDistances) {
      if (!header && (m = HEADER.exec(line))) {
        header = m[1].trim().split(/\s+/).map(Number);
        return;
      }
      if (header && (m = ROW.exec(line))) {
        const values = m[2].trim().split(/\s+/).map(Number);
        if (values.length !== header.length) fail(ln, `expected ${header.length} distances, got ${JSON.stringify(line)}`);
        const row = new Map<number, number>();
        values.forEach((d, k) => row.set(header![k], d));
        dist.set(Number(m[1]), row);
        return;
      }
      return fail(ln, `unrecognized line in the distance table: ${JSON.stringify(raw)}`);
    }
    if ((m = AVAILABLE.exec(line))) {
      try {
        available = parseCpulist(m[2], MAX_NODE_ID);
      } catch (e) {
        fail(ln, (e as Error).message);
      }
    } else if ((m = CPUS.exec(line))) {
      // Plain form " 0 1 2 3"; --cpu-compress form " 0-3, 8-11 (8)".
      const list = m[2].replace(/\(\d+\)\s*$/, '').split(/[\s,]+/).filter((s) => s !== '').join(',');
      try {
        parseCpulist(list);
      } catch (e) {
        fail(ln, `node ${m[1]}: ${(e as Error).message}`);
      }
      node(m[1], ln).cpus = list;
    } else if ((m = SIZE.exec(line))) {
      node(m[1], ln).sizeMb = m[2] === undefined ? 0 : Number(m[2]);
    } else if (FREE.test(line)) {
      // Free memory is a snapshot of the machine, not a budget for the model: ignored.
    } else if (line === 'node distances:') {
      inDistances = true;
    } else if (line === 'No distance information available.') {
      // print_distances() found no SLIT: nothing to check.
    } else {
      fail(ln, `unrecognized numactl -H line: ${JSON.stringify(raw)}`);
    }
  });

  const ids = [...info.keys()].sort((a, b) => a - b);
  if (ids.length === 0) throw new TopologyError(source, '', 'no "node N cpus:" lines: is this `numactl -H` output?');
  if (available && available.join(',') !== ids.join(',')) {
    throw new TopologyError(source, '', `"available:" lists nodes ${available.join(',')} but the output describes nodes ${ids.join(',')}`);
  }
  for (const id of ids) {
    const i = info.get(id)!;
    if (i.cpus === undefined) throw new TopologyError(source, '', `node ${id}: no "node ${id} cpus:" line`);
    if (i.sizeMb === undefined) throw new TopologyError(source, '', `node ${id}: no "node ${id} size:" line`);
  }

  const tiers = assignTiers(
    ids.map((id) => ({ id, hasCpus: info.get(id)!.cpus !== '' })),
    new Map(),
    opts.overrides ?? {},
    source,
  );
  let base = 0;
  const nodes = ids.map((id, k) => {
    const i = info.get(id)!;
    const pages = i.sizeMb! * pagesPerMb;
    const o: Record<string, unknown> = { id, adistance: tiers[k]!.adistance };
    if (i.cpus !== '') o.cpus = i.cpus;
    if (pages > 0) o.pfn_ranges = [{ start: base, end: base + pages }];
    base += pages;
    return o;
  });
  const warnings = [
    `numactl -H gives node sizes, not physical addresses: the pfn ranges are synthetic, laid out back to back from pfn 0 in node id order ` +
      `(${pagesPerMb} pages of ${pageSize} bytes per MB); pfns of a real trace will not match them (use kpromo topo --from-sysfs /sys on the traced machine)`,
  ];
  return { topology: parseTopology({ name: `numactl:${source}`, nodes }, source), tiers, notes: [], warnings };
}
