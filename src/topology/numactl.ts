/**
 * A topology from `numactl -H` output (numactl.c hardware(): "available: %d nodes (...)",
 * "node %d cpus:" + " %d" per cpu (or " a-b," runs and " (n)" with --cpu-compress),
 * "node %d size: %llu MB", "node %d free: ...", then print_distances(): "node distances:",
 * a header "node " + "% 3d " per node, and rows "% 3d: " + "% 3d " per node).
 *
 * numactl gives sizes, not physical ranges, so the nodes' memory is laid out contiguously from
 * pfn 0 in node id order, MB * 256 pages each (4 KiB pages). Pfns of a real trace will not line
 * up with these ranges; use a sysfs copy (topologyFromSysfs) when they must.
 */
import { TopologyError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { parseCpulist } from './cpulist.js';
import { guessAdistances } from './heuristic.js';
import { MAX_NODE_ID, parseTopology } from './parse.js';

/** 4 KiB pages per MiB. */
const PAGES_PER_MB = 256;

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

/** Parses `numactl -H` output; `source` names the file in errors (paths are `line N`). */
export function topologyFromNumactl(text: string, source: string): Topology {
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
      // print_distances() found no SLIT: the heuristic treats CPU-less nodes as slow memory.
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

  const adistance = guessAdistances(
    ids.map((id) => ({ id, hasCpus: info.get(id)!.cpus !== '' })),
    (from, to) => dist.get(from)?.get(to),
  );
  let base = 0;
  const nodes = ids.map((id) => {
    const i = info.get(id)!;
    const pages = i.sizeMb! * PAGES_PER_MB;
    const o: Record<string, unknown> = { id, adistance: adistance.get(id) };
    if (i.cpus !== '') o.cpus = i.cpus;
    if (pages > 0) o.pfn_ranges = [{ start: base, end: base + pages }];
    base += pages;
    return o;
  });
  return parseTopology({ name: `numactl:${source}`, nodes }, source);
}
