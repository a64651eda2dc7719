/**
 * A topology from a copy of /sys/devices/system/node (Documentation/ABI/stable/sysfs-devices-node,
 * Documentation/admin-guide/mm/memory-hotplug.rst, Documentation/ABI/testing/sysfs-kernel-mm-memory-tiers).
 *
 * Files read, relative to the node directory DIR:
 *   nodeN/cpulist                       cpulist, empty line for a CPU-less node
 *   nodeN/distance                      SLIT distances to every online node, ascending node id
 *   nodeN/memoryM                       link (or copied directory) per memory block M of the node
 *   nodeN/memoryM/phys_index            block id in hex ("%08lx"); M itself when unreadable
 *   ../memory/block_size_bytes          block size in hex without 0x ("%lx"); DIR/memory/ also accepted
 *   ../../virtual/memory_tiering/memory_tierT/nodelist   nodes of tier T; DIR/memory_tiering/ also accepted
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TopologyError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import { parseCpulist } from './cpulist.js';
import { guessAdistances } from './heuristic.js';
import { MAX_NODE_ID, PFN_LIMIT, parseTopology } from './parse.js';

/** MEMTIER_CHUNK_SIZE / 2: the middle of tier T is T * 128 + 64, so `adistance >> 7 == T`. */
const TIER_MID = 64;
const HEX = /^(?:0x)?[0-9a-f]+$/i;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
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

function parseHex(text: string, source: string, where: string): bigint {
  const t = text.trim();
  if (!HEX.test(t)) throw new TopologyError(source, where, `expected a hex number, got ${JSON.stringify(t)}`);
  return BigInt(t.startsWith('0x') || t.startsWith('0X') ? t : '0x' + t);
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
        ids = parseCpulist(text, MAX_NODE_ID);
      } catch (e) {
        throw new TopologyError(source, `${name}/nodelist`, (e as Error).message);
      }
      for (const id of ids) tiers.set(id, tier);
    }
    break;
  }
  return tiers;
}

/** Builds a topology from a copy of /sys/devices/system/node; `pageSize` converts block bytes to pfns. */
export function topologyFromSysfs(dir: string, pageSize = 4096): Topology {
  const source = dir;
  const nodeDirs = numbered(dir, 'node');
  if (nodeDirs.length === 0) throw new TopologyError(source, '', 'no nodeN directories: expected a copy of /sys/devices/system/node');
  const ids = nodeDirs.map((d) => d.n);

  let blockBytes: bigint | undefined;
  const blockSize = (): bigint => {
    if (blockBytes !== undefined) return blockBytes;
    for (const f of [path.join(dir, '..', 'memory', 'block_size_bytes'), path.join(dir, 'memory', 'block_size_bytes')]) {
      const text = readText(f);
      if (text === undefined) continue;
      blockBytes = parseHex(text, source, 'memory/block_size_bytes');
      if (blockBytes === 0n || blockBytes % BigInt(pageSize) !== 0n) {
        throw new TopologyError(source, 'memory/block_size_bytes', `block size ${text.trim()} is not a multiple of the page size ${pageSize}`);
      }
      return blockBytes;
    }
    throw new TopologyError(source, 'memory/block_size_bytes', 'not found in ../memory/ or ./memory/, but nodes list memory blocks');
  };

  const cpus = new Map<number, string>();
  const distances = new Map<number, number[]>();
  const ranges = new Map<number, { start: number; end: number }[]>();
  for (const { name, n: id } of nodeDirs) {
    const nodePath = path.join(dir, name);
    const cpulist = readText(path.join(nodePath, 'cpulist'));
    if (cpulist === undefined) throw new TopologyError(source, `${name}/cpulist`, `node ${id}: missing cpulist`);
    try {
      parseCpulist(cpulist);
    } catch (e) {
      throw new TopologyError(source, `${name}/cpulist`, `node ${id}: ${(e as Error).message}`);
    }
    cpus.set(id, cpulist.trim());

    const dist = readText(path.join(nodePath, 'distance'));
    if (dist !== undefined) {
      const row = dist.trim().split(/\s+/).filter((s) => s !== '').map(Number);
      if (row.length !== ids.length || row.some((d) => !Number.isInteger(d) || d < 0)) {
        throw new TopologyError(source, `${name}/distance`, `node ${id}: expected ${ids.length} distances, got ${JSON.stringify(dist.trim())}`);
      }
      distances.set(id, row);
    }

    // Each memory block M covers pfns [phys_index * block / page, (phys_index + 1) * block / page).
    const starts: bigint[] = [];
    for (const blk of numbered(nodePath, 'memory')) {
      const idx = readText(path.join(nodePath, blk.name, 'phys_index'));
      starts.push(idx === undefined ? BigInt(blk.n) : parseHex(idx, source, `${name}/${blk.name}/phys_index`));
    }
    starts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const merged: { start: number; end: number }[] = [];
    if (starts.length > 0) {
      const pagesPerBlock = blockSize() / BigInt(pageSize);
      for (const s of starts) {
        const start = s * pagesPerBlock;
        const end = start + pagesPerBlock;
        if (end > BigInt(PFN_LIMIT)) throw new TopologyError(source, `${name}/memory${s}`, `node ${id}: pfn ${end} is above 2^53`);
        const last = merged[merged.length - 1];
        if (last && BigInt(last.end) === start) last.end = Number(end);
        else merged.push({ start: Number(start), end: Number(end) });
      }
    }
    ranges.set(id, merged);
  }

  const tiers = readTiers(dir, source);
  const guessed = guessAdistances(
    ids.map((id) => ({ id, hasCpus: cpus.get(id) !== '' })),
    (from, to) => distances.get(from)?.[ids.indexOf(to)],
  );
  const file = {
    name: `sysfs:${dir}`,
    nodes: ids.map((id) => {
      const tier = tiers.get(id);
      const adistance = tier !== undefined ? tier * 128 + TIER_MID : guessed.get(id);
      const node: Record<string, unknown> = { id, adistance, pfn_ranges: ranges.get(id) };
      if (cpus.get(id) !== '') node.cpus = cpus.get(id);
      return node;
    }),
  };
  return parseTopology(file, source);
}
