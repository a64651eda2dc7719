/**
 * Built-in topologies, selectable by name with `--topology NAME`. They are written in the
 * SPEC 3.1 file format and go through the same validation as a user's file.
 */
import type { Topology } from '../engine/topology.js';
import { parseTopology } from './parse.js';

/** The preset used when no `--topology` is given (SPEC 7). */
export const DEFAULT_PRESET = '2s-cxl';

/** DRAM and CXL abstract distances: MEMTIER_ADISTANCE_DRAM and MEMTIER_DEFAULT_DAX_ADISTANCE (drivers/dax/kmem.c). */
const DRAM = 576;
const CXL = 2880;

const SOURCES: Record<string, { description: string; file: unknown }> = {
  '2s-cxl': {
    description: 'two DRAM sockets (cpus 0-7, 8-15; 4 GiB each) and one CPU-less CXL node (8 GiB, adistance 2880); the default',
    file: {
      name: '2s-cxl',
      nodes: [
        { id: 0, cpus: '0-7', adistance: DRAM, pfn_ranges: [{ start: '0x0', end: '0x100000' }] },
        { id: 1, cpus: '8-15', adistance: DRAM, pfn_ranges: [{ start: '0x100000', end: '0x200000' }] },
        { id: 2, adistance: CXL, pfn_ranges: [{ start: '0x200000', end: '0x400000' }] },
      ],
    },
  },
  '1s-cxl': {
    description: 'one DRAM socket (cpus 0-15, 8 GiB) and one CPU-less CXL node (8 GiB): one daemon, and NUMA_NO_NODE targets a CXL node',
    file: {
      name: '1s-cxl',
      nodes: [
        { id: 0, cpus: '0-15', adistance: DRAM, pfn_ranges: [{ start: '0x0', end: '0x200000' }] },
        { id: 1, adistance: CXL, pfn_ranges: [{ start: '0x200000', end: '0x400000' }] },
      ],
    },
  },
  '4n-2cxl': {
    description: 'two DRAM sockets (cpus 0-15, 16-31; 4 GiB each) and two CPU-less CXL nodes (4 GiB each)',
    file: {
      name: '4n-2cxl',
      nodes: [
        { id: 0, cpus: '0-15', adistance: DRAM, pfn_ranges: [{ start: '0x0', end: '0x100000' }] },
        { id: 1, cpus: '16-31', adistance: DRAM, pfn_ranges: [{ start: '0x100000', end: '0x200000' }] },
        { id: 2, adistance: CXL, pfn_ranges: [{ start: '0x200000', end: '0x300000' }] },
        { id: 3, adistance: CXL, pfn_ranges: [{ start: '0x300000', end: '0x400000' }] },
      ],
    },
  },
  '2s-cxl-budget': {
    description: '2s-cxl with tiny DRAM budgets (free_pages 64, high_wmark_pages 32 on nodes 0 and 1): promotion runs out of room',
    file: {
      name: '2s-cxl-budget',
      nodes: [
        {
          id: 0, cpus: '0-7', adistance: DRAM, pfn_ranges: [{ start: '0x0', end: '0x100000' }],
          free_pages: 64, high_wmark_pages: 32,
        },
        {
          id: 1, cpus: '8-15', adistance: DRAM, pfn_ranges: [{ start: '0x100000', end: '0x200000' }],
          free_pages: 64, high_wmark_pages: 32,
        },
        { id: 2, adistance: CXL, pfn_ranges: [{ start: '0x200000', end: '0x400000' }] },
      ],
    },
  },
};

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v)) deepFreeze(child);
  }
  return v;
}

const parsed = new Map<string, Topology>();

/** A preset, validated and frozen when first asked for (a run uses one; parsing all took about 1 ms of every start). */
function preset(name: string): Topology {
  let t = parsed.get(name);
  if (t === undefined) {
    t = deepFreeze(parseTopology(SOURCES[name]!.file, `preset ${name}`));
    parsed.set(name, t);
  }
  return t;
}

/** The built-in topologies by name, validated and frozen (shared by every replay, so never mutated). */
export const PRESETS: Readonly<Record<string, Topology>> = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(Object.keys(SOURCES).map((name) => [name, { enumerable: true, get: () => preset(name) }])),
  ) as Record<string, Topology>,
);

/** A one-line description of every preset, for `--help` and docs. */
export const PRESET_DESCRIPTIONS: Readonly<Record<string, string>> = deepFreeze(
  Object.fromEntries(Object.entries(SOURCES).map(([name, s]) => [name, s.description])),
);

/** Preset names in a stable order, the default first. */
export function presetNames(): string[] {
  return Object.keys(SOURCES);
}
