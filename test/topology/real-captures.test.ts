/**
 * Topologies from real /sys captures (test/fixtures/sysfs-*; each SOURCE.md names repository, path and
 * commit). Expected values are derived by hand from the files.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryTiers } from '../../src/engine/topology.js';
import { readSysfs } from '../../src/topology/sysfs.js';
import { unalignedRanges } from '../../src/topology/sections.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const range = (start: number, end: number) => ({ start, end, kind: 'lru' });

describe('real sysfs captures', () => {
  it('hwloc 128arm (Linux 5.15): cpulists ending in NUL, no memory blocks: laid out from MemTotal', () => {
    expect(fs.readFileSync(fixture('sysfs-hwloc-128arm/sys/devices/system/node/node0/cpulist'), 'latin1')).toBe('0-31\n\0');
    const b = readSysfs(fixture('sysfs-hwloc-128arm/sys'));
    // MemTotal kB / 4: 131732940 -> 32933235, 132117940 -> 33029485, 132117936 -> 33029484, 131062408 -> 32765602.
    expect(b.topology.nodes.map((n) => [n.id, n.cpus[0], n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 0, 32, 576, [range(0, 32933235)]],
      [1, 32, 32, 576, [range(32933235, 65962720)]],
      [2, 64, 32, 576, [range(65962720, 98992204)]],
      [3, 96, 32, 576, [range(98992204, 131757806)]],
    ]);
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toMatch(/^no node lists memory blocks .*: the pfn ranges are synthetic/);
  });

  it('hwloc POWER9 + GPU memory nodes: CPU-less nodes are dax/kmem memory unless --dram-nodes says otherwise', () => {
    const b = readSysfs(fixture('sysfs-hwloc-nvidiagpu/sys'));
    expect(b.topology.nodes.map((n) => n.id)).toEqual([0, 8, 250, 251, 252, 253, 254, 255]);
    // node 0 129839104 kB -> 32459776 pages; node 8 133952000 kB -> 33488000; GPU nodes 15728640 kB -> 3932160 each.
    expect(b.topology.nodes[2]!.pfn_ranges).toEqual([range(65947776, 65947776 + 3932160)]);
    expect(b.tiers.filter((t) => t.source === 'dax_default').map((t) => t.node)).toEqual([250, 251, 252, 253, 254, 255]);
    expect(memoryTiers(b.topology).nodes.filter((t) => !t.toptier).map((t) => t.id)).toEqual([250, 251, 252, 253, 254, 255]);
    // GPU memory is not onlined through dax/kmem: --dram-nodes makes it top tier.
    const d = readSysfs(fixture('sysfs-hwloc-nvidiagpu/sys'), { overrides: { dram: [250, 251, 252, 253, 254, 255] } });
    expect(memoryTiers(d.topology).nodes.every((t) => t.toptier)).toBe(true);
    // 65947776 = 0x3ee4880 is not a multiple of 0x8000: node 250 starts in section 2012, owned by node 8.
    expect(unalignedRanges(b.topology).find((u) => u.node === 250)).toMatchObject({ section: 2012, owner: 8, effect: 'not_recorded' });
  });

  it('hwloc dax capture: memoryN links into a /sys/devices/system/memory that was not copied: MemTotal layout', () => {
    const b = readSysfs(fixture('sysfs-hwloc-dax-trimmed/sys/devices/system/node'));
    // 16747124 kB -> 4186781 pages; 16777216 kB -> 4194304.
    expect(b.topology.nodes.map((n) => n.pfn_ranges)).toEqual([[range(0, 4186781)], [range(4186781, 8381085)]]);
    expect(b.warnings[0]).toContain('a trimmed copy');
  });

  it('util-linux lsmem s390 dump: offline blocks are left out', () => {
    // 256 MiB blocks = 0x10000 pages; online 0-13 and 15-19; 14 and 20-23 offline.
    const b = readSysfs(fixture('sysfs-lsmem-s390-zvm/sys'));
    expect(b.topology.nodes[0]!.pfn_ranges).toEqual([range(0, 0xe0000), range(0xf0000, 0x140000)]);
    expect(b.notes).toContain(
      'node 0: 5 memory blocks not online, left out: memory14 (offline), memory20 (offline), memory21 (offline), memory22 (offline), memory23 (offline)',
    );
  });

  it('this machine: 192 online 128 MiB blocks with a hole at 3-4 GiB, tier read from memory_tier4', () => {
    const b = readSysfs(fixture('sysfs-real-fc618/sys'));
    expect(b.topology.nodes.map((n) => [n.id, n.cpus, n.pfn_ranges])).toEqual([[0, [0, 1], [range(0, 0xc0000), range(0x100000, 0x640000)]]]);
    expect(b.tiers).toEqual([{ node: 0, adistance: 576, source: 'tier_file', tier: 4 }]);
    expect(b.warnings).toEqual([]);
  });
});
