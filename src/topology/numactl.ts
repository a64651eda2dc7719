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
import { MAX_NODE_ID, PFN_LIMIT, parseTopology } from './parse.js';
import type { BuildOptions, BuiltTopology } from './sysfs.js';
import { assignTiers } from './tiers.js';

// `d`: match indices, for the column of a bad number.
const AVAILABLE = /^available:\s+(\d+)\s+nodes?\s+\(([^)]*)\)$/;
const CPUS = /^node\s+(\d+)\s+cpus:(.*)$/d;
const SIZE = /^node\s+(\d+)\s+size:\s+(?:(\d+)\s+MB|<not available>)$/d;
const FREE = /^node\s+(\d+)\s+free:\s+(?:\d+\s+MB|<not available>)$/d;
const HEADER = /^node((?:\s+\d+)+)$/;
const ROW = /^(\d+):((?:\s+\d+)+)$/d;

/** A line read, for messages: its number and the column of its first character. */
interface At {
  readonly line: number;
  readonly column: number;
}

interface NodeInfo {
  cpus?: string;
  cpusAt?: At;
  sizeMb?: bigint;
  /** The size's number (the line, for `<not available>`). */
  sizeAt?: At;
}

/** The topology of readNumactl() alone (4 KiB pages, no overrides). */
export function topologyFromNumactl(text: string, source: string): Topology {
  return readNumactl(text, source).topology;
}

/**
 * Parses `numactl -H` output; `source` names the file in errors, which give line and column (`h.txt:3:14: ...`).
 * numactl prints each line once: a second `node N cpus:`, `size:` or `free:` line, `available:` line or distance
 * row is an error naming both lines, not a silent override.
 */
export function readNumactl(text: string, source: string, opts: BuildOptions = {}): BuiltTopology {
  const pageSize = opts.pageSize ?? 4096;
  if (!Number.isInteger(pageSize) || pageSize < 512 || pageSize > 1048576 || (pageSize & (pageSize - 1)) !== 0) {
    throw new TopologyError(source, '', `page size must be a power of two from 512 to 1048576, got ${pageSize}`);
  }
  const pagesPerMb = 1048576 / pageSize;
  const info = new Map<number, NodeInfo>();
  let available: number[] | undefined;
  let availableAt: At | undefined;
  let header: number[] | undefined;
  const rowAt = new Map<number, At>();
  const freeAt = new Map<number, At>();
  let inDistances = false;

  const fail = (at: At, message: string): never => {
    throw new TopologyError(source, '', message, at);
  };
  /** A second line of a kind that numactl prints once: an error at `at` naming the first and quoting this one. */
  let raw = '';
  const once = (first: At | undefined, at: At, what: string): At => {
    if (first !== undefined) fail(at, `a second ${what} (the first is line ${first.line}; numactl -H prints it once): ${JSON.stringify(raw)}`);
    return at;
  };
  const node = (m: RegExpExecArray, line: number): NodeInfo => {
    const n = Number(m[1]);
    if (n > MAX_NODE_ID) fail({ line, column: m.indices![1]![0] + 1 }, `node id ${m[1]} is above ${MAX_NODE_ID}`);
    let i = info.get(n);
    if (!i) info.set(n, (i = {}));
    return i;
  };

  const lines = text.split(/\r?\n/);
  for (let idx = 0; idx < lines.length; idx++) {
    raw = lines[idx]!;
    const ln = idx + 1;
    const line = raw.trim();
    if (line === '') continue;
    // Columns in `line` are this much left of those in the file.
    const lead = raw.length - raw.trimStart().length;
    const at: At = { line: ln, column: lead + 1 };
    const col = (m: RegExpExecArray, group: number): At => ({ line: ln, column: lead + m.indices![group]![0] + 1 });
    let m: RegExpExecArray | null;
    if (inDistances) {
      if (!header && (m = HEADER.exec(line))) {
        header = m[1]!.trim().split(/\s+/).map(Number);
        continue;
      }
      if (header && (m = ROW.exec(line))) {
        const values = m[2]!.trim().split(/\s+/).map(Number);
        if (values.length !== header.length) fail(at, `expected ${header.length} distances, got ${JSON.stringify(line)}`);
        const from = Number(m[1]);
        rowAt.set(from, once(rowAt.get(from), at, `distance row for node ${from}`));
        continue;
      }
      fail(at, `unrecognized line in the distance table: ${JSON.stringify(raw)}`);
    }
    if ((m = AVAILABLE.exec(line))) {
      availableAt = once(availableAt, at, '"available:" line');
      try {
        available = parseCpulist(m[2]!, MAX_NODE_ID);
      } catch (e) {
        fail(at, (e as Error).message);
      }
    } else if ((m = CPUS.exec(line))) {
      // Plain form " 0 1 2 3"; --cpu-compress form " 0-3, 8-11 (8)".
      const list = m[2]!.replace(/\(\d+\)\s*$/, '').split(/[\s,]+/).filter((s) => s !== '').join(',');
      try {
        parseCpulist(list);
      } catch (e) {
        fail(col(m, 2), `node ${m[1]}: ${(e as Error).message}`);
      }
      const i = node(m, ln);
      i.cpusAt = once(i.cpusAt, at, `"node ${m[1]} cpus:" line`);
      i.cpus = list;
    } else if ((m = SIZE.exec(line))) {
      const i = node(m, ln);
      once(i.sizeAt, at, `"node ${m[1]} size:" line`);
      i.sizeAt = m[2] === undefined ? at : col(m, 2);
      i.sizeMb = m[2] === undefined ? 0n : BigInt(m[2]);
      // Each node's pages, and so its range's end, must stay below 2^53 (the pfn limit of every topology).
      if (i.sizeMb * BigInt(pagesPerMb) > BigInt(PFN_LIMIT)) {
        fail(col(m, 2), `node ${m[1]} size ${m[2]} MB is more than 2^53 pages of ${pageSize} bytes`);
      }
    } else if ((m = FREE.exec(line))) {
      // Free memory is a snapshot of the machine, not a budget for the model: ignored (but read once, like the rest).
      const id = Number(m[1]);
      freeAt.set(id, once(freeAt.get(id), at, `"node ${m[1]} free:" line`));
    } else if (line === 'node distances:') {
      inDistances = true;
    } else if (line === 'No distance information available.') {
      // print_distances() found no SLIT: nothing to check.
    } else {
      fail(at, `unrecognized numactl -H line: ${JSON.stringify(raw)}`);
    }
  }

  const ids = [...info.keys()].sort((a, b) => a - b);
  if (ids.length === 0) throw new TopologyError(source, '', 'no "node N cpus:" lines: is this `numactl -H` output?');
  if (available && available.join(',') !== ids.join(',')) {
    fail(availableAt!, `"available:" lists nodes ${available.join(',')} but the output describes nodes ${ids.join(',')}`);
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
  let base = 0n;
  const nodes = ids.map((id, k) => {
    const i = info.get(id)!;
    const pages = i.sizeMb! * BigInt(pagesPerMb);
    if (base + pages > BigInt(PFN_LIMIT)) {
      fail(i.sizeAt!, `node ${id} size ${i.sizeMb} MB: laid out after the nodes before it, its memory would end at pfn ${base + pages}, above 2^53`);
    }
    const o: Record<string, unknown> = { id, adistance: tiers[k]!.adistance };
    if (i.cpus !== '') o.cpus = i.cpus;
    // Hex strings: an end of exactly 2^53 is a valid pfn bound, but not a safe integer.
    if (pages > 0n) o.pfn_ranges = [{ start: '0x' + base.toString(16), end: '0x' + (base + pages).toString(16) }];
    base += pages;
    return o;
  });
  const warnings = [
    `numactl -H gives node sizes, not physical addresses: the pfn ranges are synthetic, laid out back to back from pfn 0 in node id order ` +
      `(${pagesPerMb} pages of ${pageSize} bytes per MB); pfns of a real trace will not match them (use kpromo topo --from-sysfs /sys on the traced machine)`,
  ];
  return { topology: parseTopology({ name: `numactl:${source}`, nodes }, source), tiers, notes: [], warnings };
}
