/** `numactl -H` outputs posted by users of real machines (test/fixtures/numactl-real/SOURCE.md); values by hand. */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryTiers } from '../../src/engine/topology.js';
import { readNumactl } from '../../src/topology/numactl.js';
import { unalignedRanges } from '../../src/topology/sections.js';

const text = (p: string): string => fs.readFileSync(fileURLToPath(new URL(`../fixtures/numactl-real/${p}`, import.meta.url)), 'utf8');
const range = (start: number, end: number) => ({ start, end, kind: 'lru' });

describe('numactl -H from real machines', () => {
  it('2 sockets + 2 CXL expanders at distance 14: the expanders are dax/kmem memory, not DRAM', () => {
    const b = readNumactl(text('scargall-cxl-2s2cxl.txt'), 'cxl.txt');
    // MB * 256: 64167 -> 16426752, 64472 -> 16504832, 65536 -> 16777216, 131072 -> 33554432.
    expect(b.topology.nodes.map((n) => [n.id, n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 104, 576, [range(0, 16426752)]],
      [1, 104, 576, [range(16426752, 32931584)]],
      [2, 0, 2880, [range(32931584, 49708800)]],
      [3, 0, 2880, [range(49708800, 83263232)]],
    ]);
    expect(memoryTiers(b.topology).nodes.map((t) => t.toptier)).toEqual([true, true, false, false]);
    expect(b.tiers.map((t) => t.source)).toEqual(['cpu_node', 'cpu_node', 'dax_default', 'dax_default']);
    // MB sizes are not multiples of 128 MiB: node 2 starts in node 1's section 1004 (0x1f67c00 >> 15),
    // node 3 in node 2's section 1516 (0x2f67c00 >> 15).
    expect(unalignedRanges(b.topology).map((u) => [u.node, u.section, u.owner, u.effect])).toEqual([
      [1, 501, 0, 'none'],
      [2, 1004, 1, 'not_recorded'],
      [3, 1516, 2, 'never_walked'],
    ]);
  });

  it('Threadripper NPS4: CPU nodes without memory have no ranges and count as top tier', () => {
    const b = readNumactl(text('threadripper-nps4-memoryless.txt'), 'tr.txt');
    expect(b.topology.nodes.map((n) => [n.id, n.cpus.length, n.pfn_ranges])).toEqual([
      [0, 12, []],
      [1, 12, [range(0, 64307 * 256)]],
      [2, 12, [range(64307 * 256, (64307 + 64472) * 256)]],
      [3, 12, []],
    ]);
    expect(memoryTiers(b.topology).nodes.map((t) => [t.id, t.tier, t.toptier])).toEqual([
      [0, null, true],
      [1, 4, true],
      [2, 4, true],
      [3, null, true],
    ]);
  });
});
