/**
 * Validation of the topology file format (SPEC 3.1) into the engine's normalized Topology.
 * Every error is a TopologyError whose `path` names the key at fault (`nodes[1].pfn_ranges[0].end`).
 */
import { TopologyError } from '../errors.js';
import { formatJsonPath, locateJson, positionAt, type JsonPathStep, type TextPosition } from '../json-source.js';
import { MEMTIER_ADISTANCE_DRAM, type NodeSpec, type PfnRange, type RangeKind, type Topology } from '../engine/topology.js';
import { formatCpulist, parseCpulist } from './cpulist.js';

/** Largest node id: MAX_NUMNODES is 1 << CONFIG_NODES_SHIFT, and NODES_SHIFT is at most 10. */
export const MAX_NODE_ID = 1023;
/** Pfns live in [0, 2^53) (SPEC 1), so a range end may be 2^53. */
export const PFN_LIMIT = 2 ** 53;

const TOP_KEYS = ['name', 'nodes'];
const NODE_KEYS = ['id', 'cpus', 'adistance', 'pfn_ranges', 'free_pages', 'high_wmark_pages'];
const RANGE_KEYS = ['start', 'end', 'kind'];
const KINDS: readonly RangeKind[] = ['lru', 'nonlru', 'device'];
const HEX = /^0x[0-9a-f]+$/i;

/** Quotes a value for a message, shortened so a huge blob does not flood the terminal. */
function quote(v: unknown): string {
  return clip(v === undefined ? 'undefined' : JSON.stringify(v));
}

/** At most 60 characters (TopologyError escapes C1 and bidi controls; JSON text has no raw C0 ones). */
function clip(s: string): string {
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** A range printed for messages: `[0x0, 0x100000)`. */
export function formatRange(r: { start: number; end: number }): string {
  return `[${hex(r.start)}, ${hex(r.end)})`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

type Path = readonly JsonPathStep[];

class Checker {
  /** `text`: the JSON text the value was parsed from, to name line and column and quote values as written. */
  constructor(
    readonly source: string,
    readonly text: string | undefined,
  ) {}

  /** Throws a TopologyError at `path`: at the member's key (`at: 'key'`) or its value, or the nearest value there. */
  fail(path: Path, message: string, at: 'key' | 'value' = 'value'): never {
    let pos: TextPosition | undefined;
    if (this.text !== undefined) {
      const spot = locateJson(this.text, path);
      if (spot) pos = positionAt(this.text, at === 'key' && !spot.missing && spot.keyOffset !== undefined ? spot.keyOffset : spot.offset);
    }
    throw new TopologyError(this.source, formatJsonPath(path), message, pos);
  }

  /**
   * A value for a message: a number, string or literal as written in the file when the text is known (JSON.parse
   * rounds numbers: `9007199254740993` would show as 9007199254740992, `1e400` as null), else as JSON.
   */
  shown(v: unknown, path: Path): string {
    if (this.text !== undefined && (typeof v !== 'object' || v === null)) {
      const spot = locateJson(this.text, path);
      if (spot && !spot.missing) return clip(spot.text);
    }
    return quote(v);
  }

  object(v: unknown, path: Path, keys: readonly string[], what: string): Record<string, unknown> {
    if (!isObject(v)) this.fail(path, `${what} must be an object, got ${this.shown(v, path)}`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k)) this.fail([...path, k], `unknown key ${quote(k)} in ${what} (known: ${keys.join(', ')})`, 'key');
    }
    return v;
  }

  /** A non-negative integer no larger than `max`, member `key` of the object at `at`; `ctx` adds e.g. the node id to the message. */
  uint(v: unknown, at: Path, key: string, max: number, ctx: string): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
      const path = [...at, key];
      this.fail(path, `${ctx}expected an integer in [0, ${max}], got ${this.shown(v, path)}`);
    }
    return v;
  }

  /** A pfn, member `key` of the range at `at`: a non-negative safe integer or a `0x` hex string, at most 2^53. */
  pfn(v: unknown, at: Path, key: string, ctx: string): number {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    const path = [...at, key];
    if (typeof v === 'string' && HEX.test(v)) {
      const big = BigInt(v);
      if (big > BigInt(PFN_LIMIT)) this.fail(path, `${ctx}pfn ${this.shown(v, path)} is above 2^53`);
      return Number(big);
    }
    return this.fail(path, `${ctx}expected a pfn (integer >= 0 or "0x" hex string), got ${this.shown(v, path)}`);
  }
}

/** A range with where it was read: node `i` of the file, range `j` of that node (its path is built only for a message). */
interface RangeAt extends PfnRange {
  readonly nodeId: number;
  readonly i: number;
  readonly j: number;
}

function rangePath(r: RangeAt): Path {
  return ['nodes', r.i, 'pfn_ranges', r.j];
}

/**
 * Parses and validates a topology in the SPEC 3.1 file format; `source` names the file or preset in errors, and
 * `text`, the JSON text `json` was parsed from, lets them name line and column and quote values as written.
 */
export function parseTopology(json: unknown, source: string, text?: string): Topology {
  const c: Checker = new Checker(source, text);
  const top = c.object(json, [], TOP_KEYS, 'topology');
  let name = source;
  if (top.name !== undefined) {
    if (typeof top.name !== 'string') c.fail(['name'], `expected a string, got ${c.shown(top.name, ['name'])}`);
    name = top.name;
  }
  if (!Array.isArray(top.nodes)) c.fail(['nodes'], `expected a non-empty array of nodes, got ${c.shown(top.nodes, ['nodes'])}`);
  if (top.nodes.length === 0) c.fail(['nodes'], 'expected a non-empty array of nodes, got []');

  const nodes: NodeSpec[] = [];
  const ranges: RangeAt[] = [];
  const idAt = new Map<number, string>();
  const cpuOwner = new Map<number, number>();
  const rawNodes = top.nodes as unknown[];
  for (let i = 0; i < rawNodes.length; i++) {
    const p: Path = ['nodes', i];
    const n = c.object(rawNodes[i], p, NODE_KEYS, 'node');
    if (n.id === undefined) c.fail([...p, 'id'], 'missing node id');
    const id = c.uint(n.id, p, 'id', MAX_NODE_ID, '');
    const ctx = `node ${id}: `;
    const prev = idAt.get(id);
    if (prev !== undefined) c.fail([...p, 'id'], `duplicate node id ${id} (also at ${prev})`);
    idAt.set(id, formatJsonPath(p));

    let cpus: number[] = [];
    if (n.cpus !== undefined) {
      if (typeof n.cpus !== 'string') c.fail([...p, 'cpus'], `${ctx}expected a cpulist string like "0-7,16-23", got ${c.shown(n.cpus, [...p, 'cpus'])}`);
      try {
        cpus = parseCpulist(n.cpus);
      } catch (e) {
        c.fail([...p, 'cpus'], `${ctx}${(e as Error).message}`);
      }
    }
    for (const cpu of cpus) {
      const other = cpuOwner.get(cpu);
      if (other !== undefined) c.fail([...p, 'cpus'], `cpu ${cpu} is in node ${other} and node ${id}`);
      cpuOwner.set(cpu, id);
    }

    const adistance = n.adistance === undefined ? MEMTIER_ADISTANCE_DRAM : c.uint(n.adistance, p, 'adistance', 2 ** 31 - 1, ctx);

    const own: PfnRange[] = [];
    if (n.pfn_ranges !== undefined) {
      if (!Array.isArray(n.pfn_ranges)) c.fail([...p, 'pfn_ranges'], `${ctx}expected an array of ranges, got ${c.shown(n.pfn_ranges, [...p, 'pfn_ranges'])}`);
      const rawRanges = n.pfn_ranges as unknown[];
      for (let j = 0; j < rawRanges.length; j++) {
        const rp: Path = ['nodes', i, 'pfn_ranges', j];
        const r = c.object(rawRanges[j], rp, RANGE_KEYS, `pfn range of node ${id}`);
        if (r.start === undefined) c.fail([...rp, 'start'], `${ctx}missing range start`);
        if (r.end === undefined) c.fail([...rp, 'end'], `${ctx}missing range end`);
        const start = c.pfn(r.start, rp, 'start', ctx);
        const end = c.pfn(r.end, rp, 'end', ctx);
        if (!(start < end)) c.fail([...rp, 'end'], `${ctx}range end ${hex(end)} is not above its start ${hex(start)}`);
        let kind: RangeKind = 'lru';
        if (r.kind !== undefined) {
          if (!KINDS.includes(r.kind as RangeKind)) c.fail([...rp, 'kind'], `${ctx}expected one of ${KINDS.join(', ')}, got ${c.shown(r.kind, [...rp, 'kind'])}`);
          kind = r.kind as RangeKind;
        }
        own.push({ start, end, kind });
        ranges.push({ start, end, kind, nodeId: id, i, j });
      }
    }
    own.sort((a, b) => a.start - b.start);

    const free_pages = n.free_pages === undefined ? null : c.uint(n.free_pages, p, 'free_pages', Number.MAX_SAFE_INTEGER, ctx);
    const high_wmark_pages =
      n.high_wmark_pages === undefined ? 0 : c.uint(n.high_wmark_pages, p, 'high_wmark_pages', Number.MAX_SAFE_INTEGER, ctx);

    nodes.push({ id, cpus, adistance, pfn_ranges: own, free_pages, high_wmark_pages });
  }

  // Ranges never overlap, within a node or across nodes (SPEC 3.1): a pfn has one home node.
  ranges.sort((a, b) => a.start - b.start || a.end - b.end);
  let reach: RangeAt | undefined;
  for (const r of ranges) {
    if (reach && r.start < reach.end) {
      c.fail(
        rangePath(r),
        `range ${formatRange(r)} of node ${r.nodeId} overlaps range ${formatRange(reach)} of node ${reach.nodeId} (${formatJsonPath(rangePath(reach))})`,
      );
    }
    if (!reach || r.end > reach.end) reach = r;
  }

  if (cpuOwner.size === 0) {
    c.fail(['nodes'], 'no node has CPUs (kpromoted runs one daemon per node with CPUs; give at least one node "cpus")');
  }

  nodes.sort((a, b) => a.id - b.id);
  return { name, nodes };
}

/** Turns a validated topology back into the SPEC 3.1 file object: hex pfns, defaults omitted. */
export function topologyToObject(topo: Topology): Record<string, unknown> {
  return {
    name: topo.name,
    nodes: topo.nodes.map((n) => {
      const o: Record<string, unknown> = { id: n.id };
      if (n.cpus.length > 0) o.cpus = formatCpulist(n.cpus);
      if (n.adistance !== MEMTIER_ADISTANCE_DRAM) o.adistance = n.adistance;
      if (n.pfn_ranges.length > 0) {
        o.pfn_ranges = n.pfn_ranges.map((r) =>
          r.kind === 'lru' ? { start: hex(r.start), end: hex(r.end) } : { start: hex(r.start), end: hex(r.end), kind: r.kind },
        );
      }
      if (n.free_pages !== null) o.free_pages = n.free_pages;
      if (n.high_wmark_pages !== 0) o.high_wmark_pages = n.high_wmark_pages;
      return o;
    }),
  };
}
