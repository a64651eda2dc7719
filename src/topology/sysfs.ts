/**
 * A topology from /sys (Documentation/ABI/stable/sysfs-devices-node,
 * Documentation/admin-guide/mm/memory-hotplug.rst, Documentation/ABI/testing/sysfs-kernel-mm-memory-tiers).
 *
 * DIR may be /sys itself, /sys/devices/system, /sys/devices/system/node, or a copy of any of them.
 * Files read, relative to the node directory:
 *   nodeN/cpulist                       cpulist, empty line for a CPU-less node (a trailing NUL is the end)
 *   nodeN/memoryM                       link (or copied directory) per memory block M of the node
 *   nodeN/memoryM/phys_index            block id in hex ("%08lx"); M itself when unreadable
 *   nodeN/memoryM/state                 `offline` blocks are not part of the node (absent: online)
 *   nodeN/meminfo                       "Node N MemTotal: K kB", only when no node has memory blocks
 *   ../memory/block_size_bytes          block size in hex without 0x ("%lx"); DIR/memory/ also accepted
 *   ../../virtual/memory_tiering/memory_tierT/nodelist   nodes of tier T; DIR/memory_tiering/ also accepted
 * nodeN/distance is not read: the kernel does not derive tiers from SLIT distances.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { TopologyError } from '../errors.js';
import { readSideFile, SideInputError } from '../side-input.js';

/** A sysfs attribute holds at most a page; a copy may hold a little more, never megabytes. */
const SYSFS_FILE_MAX = 1 << 20;
import type { Topology } from '../engine/topology.js';
import { parseCpulist } from './cpulist.js';
import { MAX_NODE_ID, PFN_LIMIT, parseTopology } from './parse.js';
import { assignTiers, type TierOrigin, type TierOverrides } from './tiers.js';

const HEX = /^(?:0x)?[0-9a-f]+$/i;
const MEMTOTAL = /^Node\s+(\d+)\s+MemTotal:\s+(\d+)\s+kB$/m;

/** A topology built from a machine description, with where its tiers came from and what was assumed. */
export interface BuiltTopology {
  readonly topology: Topology;
  readonly tiers: readonly TierOrigin[];
  /** Facts worth telling the user (offline blocks left out, the directory used). */
  readonly notes: readonly string[];
  /** Things that make the result less than the machine (synthetic ranges). */
  readonly warnings: readonly string[];
}

/** Options of the sysfs and numactl readers. */
export interface BuildOptions {
  /** Page size in bytes (4096). */
  readonly pageSize?: number;
  readonly overrides?: TierOverrides;
}

function readText(file: string): string | undefined {
  try {
    return readSideFile(file, 'sysfs file', SYSFS_FILE_MAX);
  } catch (e) {
    // Missing or unreadable: the caller falls back; too large or not a regular file: an error.
    if (e instanceof SideInputError && e.reason.startsWith('cannot read')) return undefined;
    throw e;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `(prefix)(\d+)` entries of a directory, ascending by number. */
function numbered(dir: string, prefix: string): { name: string; n: number }[] {
  const re = new RegExp(`^${prefix}(\\d+)$`);
  return listDir(dir)
    .flatMap((name) => {
      const m = re.exec(name);
      return m ? [{ name, n: Number(m[1]) }] : [];
    })
    .sort((a, b) => a.n - b.n);
}

/** Text up to the first NUL: the kernel's parsers stop there, and some captures carry one (`0-31\n\0`). */
function beforeNul(text: string): string {
  const i = text.indexOf('\0');
  return i < 0 ? text : text.slice(0, i);
}

function parseHex(text: string, source: string, where: string): bigint {
  const t = beforeNul(text).trim();
  if (!HEX.test(t)) throw new TopologyError(source, where, `expected a hex number, got ${JSON.stringify(t)}`);
  return BigInt(t.startsWith('0x') || t.startsWith('0X') ? t : '0x' + t);
}

/** The node directory under DIR: DIR itself, DIR/node, or DIR/devices/system/node (DIR = /sys). */
function nodeDir(dir: string): string {
  for (const d of [dir, path.join(dir, 'node'), path.join(dir, 'devices', 'system', 'node')]) {
    if (numbered(d, 'node').length > 0) return d;
  }
  return dir;
}

/** Memory tier of each node from memory_tiering/memory_tierT/nodelist, or an empty map without tier files. */
function readTiers(dir: string, source: string): Map<number, number> {
  const tiers = new Map<number, number>();
  for (const tdir of [path.join(dir, '..', '..', 'virtual', 'memory_tiering'), path.join(dir, 'memory_tiering')]) {
    const entries = numbered(tdir, 'memory_tier');
    if (entries.length === 0) continue;
    for (const { name, n: tier } of entries) {
      const text = readText(path.join(tdir, name, 'nodelist'));
      if (text === undefined) continue;
      let ids: number[];
      try {
        ids = parseCpulist(beforeNul(text), MAX_NODE_ID);
      } catch (e) {
        throw new TopologyError(source, `${name}/nodelist`, (e as Error).message);
      }
      for (const id of ids) tiers.set(id, tier);
    }
    break;
  }
  return tiers;
}

/** Builds a topology from /sys or a copy of it; see the file comment for what is read. */
export function readSysfs(arg: string, opts: BuildOptions = {}): BuiltTopology {
  const pageSize = opts.pageSize ?? 4096;
  const source = arg;
  const dir = nodeDir(arg);
  const nodeDirs = numbered(dir, 'node');
  if (nodeDirs.length === 0) {
    throw new TopologyError(source, '', 'no nodeN directories: expected /sys, /sys/devices/system/node or a copy of either');
  }
  const ids = nodeDirs.map((d) => d.n);
  const notes: string[] = [];
  const warnings: string[] = [];
  if (dir !== arg) notes.push(`read nodes from ${dir}`);

  const cpus = new Map<number, string>();
  // Online blocks per node: [block number from the entry name, phys_index text or undefined].
  const blocks = new Map<number, { name: string; n: number; idx: string | undefined }[]>();
  let anyBlocks = false;
  let anyIndex = false;
  for (const { name, n: id } of nodeDirs) {
    const nodePath = path.join(dir, name);
    const raw = readText(path.join(nodePath, 'cpulist'));
    if (raw === undefined) throw new TopologyError(source, `${name}/cpulist`, `node ${id}: missing cpulist`);
    const cpulist = beforeNul(raw).trim();
    try {
      parseCpulist(cpulist);
    } catch (e) {
      throw new TopologyError(source, `${name}/cpulist`, `node ${id}: ${(e as Error).message}`);
    }
    cpus.set(id, cpulist);

    const online: { name: string; n: number; idx: string | undefined }[] = [];
    const offline: string[] = [];
    for (const blk of numbered(nodePath, 'memory')) {
      anyBlocks = true;
      const state = readText(path.join(nodePath, blk.name, 'state'));
      if (state !== undefined && beforeNul(state).trim() !== 'online') {
        offline.push(`${blk.name} (${beforeNul(state).trim()})`);
        continue;
      }
      const idx = readText(path.join(nodePath, blk.name, 'phys_index'));
      if (idx !== undefined) anyIndex = true;
      online.push({ name: blk.name, n: blk.n, idx });
    }
    if (offline.length > 0) {
      notes.push(`node ${id}: ${offline.length} memory block${offline.length === 1 ? '' : 's'} not online, left out: ${offline.join(', ')}`);
    }
    blocks.set(id, online);
  }

  const ranges = new Map<number, { start: number; end: number }[]>();
  const blockSizeText = [path.join(dir, '..', 'memory', 'block_size_bytes'), path.join(dir, 'memory', 'block_size_bytes')]
    .map(readText)
    .find((t) => t !== undefined);
  if (!anyBlocks) {
    layOutFromMeminfo(dir, source, nodeDirs, pageSize, ranges, warnings, 'no node lists memory blocks (nodeN/memoryM)');
  } else if (blockSizeText === undefined && !anyIndex) {
    // memoryM entries that lead nowhere (links into a ../memory that was not copied): a trimmed copy.
    layOutFromMeminfo(dir, source, nodeDirs, pageSize, ranges, warnings, 'the nodes list memory blocks, but neither memory/block_size_bytes nor any memoryM/phys_index could be read (a trimmed copy)');
  } else {
    if (blockSizeText === undefined) {
      throw new TopologyError(source, 'memory/block_size_bytes', 'not found in ../memory/ or ./memory/, but nodes list memory blocks');
    }
    const blockBytes = parseHex(blockSizeText, source, 'memory/block_size_bytes');
    if (blockBytes === 0n || blockBytes % BigInt(pageSize) !== 0n) {
      throw new TopologyError(source, 'memory/block_size_bytes', `block size ${blockSizeText.trim()} is not a multiple of the page size ${pageSize}`);
    }
    const pagesPerBlock = blockBytes / BigInt(pageSize);
    for (const { name, n: id } of nodeDirs) {
      // Each online memory block M covers pfns [phys_index * block / page, (phys_index + 1) * block / page).
      // Kept with the file each index came from (phys_index, or the entry's name without one) for messages.
      const starts = blocks
        .get(id)!
        .map((b) => {
          const file = b.idx === undefined ? `${name}/${b.name}` : `${name}/${b.name}/phys_index`;
          const text = b.idx === undefined ? b.name : beforeNul(b.idx).trim();
          // Without phys_index the block number is the entry's name, read as written (Number() would round a long one).
          return { index: b.idx === undefined ? BigInt(b.name.slice('memory'.length)) : parseHex(b.idx, source, file), file, text };
        })
        .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
      const merged: { start: number; end: number }[] = [];
      for (const s of starts) {
        const start = s.index * pagesPerBlock;
        const end = start + pagesPerBlock;
        if (end > BigInt(PFN_LIMIT)) {
          const what = s.file.endsWith('/phys_index') ? `phys_index ${JSON.stringify(s.text)}` : `block ${s.text} (no phys_index file: the number in its name)`;
          throw new TopologyError(
            source,
            s.file,
            `node ${id}: ${what} puts the block at pfns [0x${start.toString(16)}, 0x${end.toString(16)}), above 2^53 (blocks of 0x${blockBytes.toString(16)} bytes)`,
          );
        }
        const last = merged[merged.length - 1];
        if (last && BigInt(last.end) === start) last.end = Number(end);
        else merged.push({ start: Number(start), end: Number(end) });
      }
      ranges.set(id, merged);
    }
  }

  const tiers = assignTiers(
    ids.map((id) => ({ id, hasCpus: cpus.get(id) !== '' })),
    readTiers(dir, source),
    opts.overrides ?? {},
    source,
  );
  const file = {
    name: `sysfs:${arg}`,
    nodes: ids.map((id, i) => {
      // Hex strings: an end of exactly 2^53 is a valid pfn bound, but not a safe integer.
      const pfn_ranges = ranges.get(id)!.map((r) => ({ start: '0x' + r.start.toString(16), end: '0x' + r.end.toString(16) }));
      const node: Record<string, unknown> = { id, adistance: tiers[i]!.adistance, pfn_ranges };
      if (cpus.get(id) !== '') node.cpus = cpus.get(id);
      return node;
    }),
  };
  return { topology: parseTopology(file, source), tiers, notes, warnings };
}

/**
 * No usable memory blocks (a kernel without CONFIG_MEMORY_HOTPLUG, or a trimmed copy; `why` says which): lay the nodes
 * out back to back from pfn 0 in node id order, MemTotal of nodeN/meminfo each, as the numactl import
 * does, with a warning that the ranges are synthetic. A node without a readable MemTotal is an error.
 */
function layOutFromMeminfo(
  dir: string,
  source: string,
  nodeDirs: readonly { name: string; n: number }[],
  pageSize: number,
  ranges: Map<number, { start: number; end: number }[]>,
  warnings: string[],
  why: string,
): void {
  let base = 0;
  const missing: string[] = [];
  const sizes: [number, number][] = [];
  for (const { name, n: id } of nodeDirs) {
    const text = readText(path.join(dir, name, 'meminfo'));
    const m = text === undefined ? null : MEMTOTAL.exec(beforeNul(text));
    if (m === null || Number(m[1]) !== id) {
      missing.push(`${name}/meminfo${text === undefined ? '' : ' (no "Node ' + id + ' MemTotal: ... kB" line)'}`);
      continue;
    }
    sizes.push([id, Number(m[2])]);
  }
  if (missing.length > 0) {
    throw new TopologyError(
      source,
      missing[0]!.split(' ')[0]!,
      `${why}, so the node sizes must come from nodeN/meminfo MemTotal, but it is missing for: ${missing.join(', ')}. ` +
        'Copy /sys/devices/system/memory and the nodes\' memoryM entries, or the nodes\' meminfo files',
    );
  }
  for (const [id, kb] of sizes) {
    const pages = Math.floor((kb * 1024) / pageSize);
    ranges.set(id, pages > 0 ? [{ start: base, end: base + pages }] : []);
    base += pages;
  }
  warnings.push(
    `${why}: the pfn ranges are synthetic, laid out back to back from pfn 0 in node id order ` +
      'from nodeN/meminfo MemTotal; pfns of a real trace will not match them (copy the memory blocks from the traced machine for real ranges)',
  );
}

/** The topology of readSysfs() alone (the page size defaults to 4096). */
export function topologyFromSysfs(dir: string, pageSize = 4096, overrides: TierOverrides = {}): Topology {
  return readSysfs(dir, { pageSize, overrides }).topology;
}
