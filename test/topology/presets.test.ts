import { describe, it, expect } from 'vitest';
import { memoryTiers, type Topology } from '../../src/engine/topology.js';
import { DEFAULT_PRESET, PRESET_DESCRIPTIONS, PRESETS, presetNames } from '../../src/topology/presets.js';
import { parseTopology } from '../../src/topology/parse.js';

const range = (start: number, end: number) => ({ start, end, kind: 'lru' });
const seq = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe('presets', () => {
  it('lists every preset with a description, the default first', () => {
    expect(presetNames()).toEqual(['2s-cxl', '1s-cxl', '4n-2cxl', '2s-cxl-budget']);
    expect(DEFAULT_PRESET).toBe('2s-cxl');
    for (const name of presetNames()) {
      expect(PRESETS[name]!.name).toBe(name);
      expect(PRESET_DESCRIPTIONS[name]).toMatch(/\S/);
    }
  });

  it('2s-cxl is exactly SPEC section 7', () => {
    expect(PRESETS['2s-cxl']).toEqual({
      name: '2s-cxl',
      nodes: [
        { id: 0, cpus: seq(0, 7), adistance: 576, pfn_ranges: [range(0, 0x100000)], free_pages: null, high_wmark_pages: 0 },
        { id: 1, cpus: seq(8, 15), adistance: 576, pfn_ranges: [range(0x100000, 0x200000)], free_pages: null, high_wmark_pages: 0 },
        { id: 2, cpus: [], adistance: 2880, pfn_ranges: [range(0x200000, 0x400000)], free_pages: null, high_wmark_pages: 0 },
      ],
    });
  });

  it('1s-cxl, 4n-2cxl and 2s-cxl-budget have the documented layout', () => {
    const one = PRESETS['1s-cxl']!;
    expect(one.nodes.map((n) => [n.id, n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 16, 576, [range(0, 0x200000)]],
      [1, 0, 2880, [range(0x200000, 0x400000)]],
    ]);
    const four = PRESETS['4n-2cxl']!;
    expect(four.nodes.map((n) => [n.id, n.cpus[0], n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 0, 16, 576, [range(0, 0x100000)]],
      [1, 16, 16, 576, [range(0x100000, 0x200000)]],
      [2, undefined, 0, 2880, [range(0x200000, 0x300000)]],
      [3, undefined, 0, 2880, [range(0x300000, 0x400000)]],
    ]);
    const budget = PRESETS['2s-cxl-budget']!;
    expect(budget.nodes.map((n) => [n.free_pages, n.high_wmark_pages])).toEqual([[64, 32], [64, 32], [null, 0]]);
    // Same layout as 2s-cxl apart from the budgets.
    expect(budget.nodes.map((n) => [n.cpus, n.adistance, n.pfn_ranges])).toEqual(
      PRESETS['2s-cxl']!.nodes.map((n) => [n.cpus, n.adistance, n.pfn_ranges]),
    );
  });

  it('are frozen so no replay can change another one', () => {
    const t = PRESETS['2s-cxl']!;
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.nodes[0]!.pfn_ranges[0])).toBe(true);
  });

  // Hand-derived: DRAM 576 >> 7 = 4, CXL 2880 >> 7 = 22; slowest tier holding a CPU+memory node is 4.
  it.each([
    ['2s-cxl', [4, 4, 22], [true, true, false], [true, true, false]],
    ['1s-cxl', [4, 22], [true, false], [true, false]],
    ['4n-2cxl', [4, 4, 22, 22], [true, true, false, false], [true, true, false, false]],
    ['2s-cxl-budget', [4, 4, 22], [true, true, false], [true, true, false]],
  ])('%s: tiers %j, top tier %j, daemons %j', (name, tier, toptier, daemon) => {
    const t = memoryTiers(PRESETS[name]!);
    expect(t.top_tier).toBe(4);
    expect(t.nodes.map((n) => n.tier)).toEqual(tier);
    expect(t.nodes.map((n) => n.toptier)).toEqual(toptier);
    expect(t.nodes.map((n) => n.has_daemon)).toEqual(daemon);
  });
});

describe('memoryTiers on parsed topologies (SPEC 3.2)', () => {
  const topo = (nodes: unknown[]): Topology => parseTopology({ nodes }, 't');

  it('a CPU node without memory has no tier and counts as top tier', () => {
    const t = memoryTiers(
      topo([
        { id: 0, cpus: '0-3', pfn_ranges: [{ start: 0, end: 100 }] },
        { id: 1, cpus: '4-7' },
        { id: 2, adistance: 2880, pfn_ranges: [{ start: 100, end: 200 }] },
      ]),
    );
    expect(t.nodes[1]).toEqual({ id: 1, tier: null, toptier: true, has_daemon: true, has_memory: false });
    expect(t.nodes[2]!.toptier).toBe(false);
  });

  it('a CPU-less DRAM node (576) is top tier', () => {
    const t = memoryTiers(
      topo([
        { id: 0, cpus: '0', pfn_ranges: [{ start: 0, end: 100 }] },
        { id: 1, pfn_ranges: [{ start: 100, end: 200 }] },
      ]),
    );
    expect(t.nodes.map((n) => [n.tier, n.toptier, n.has_daemon])).toEqual([[4, true, true], [4, true, false]]);
  });

  it('a slow node with CPUs moves the boundary down to its tier', () => {
    // Node 1 has CPUs and adistance 1500 (tier 11): tiers <= 11 are top tier, so the 1200 node (tier 9)
    // is top tier while 2880 (tier 22) is not.
    const t = memoryTiers(
      topo([
        { id: 0, cpus: '0', pfn_ranges: [{ start: 0, end: 100 }] },
        { id: 1, cpus: '1', adistance: 1500, pfn_ranges: [{ start: 100, end: 200 }] },
        { id: 2, adistance: 1200, pfn_ranges: [{ start: 200, end: 300 }] },
        { id: 3, adistance: 2880, pfn_ranges: [{ start: 300, end: 400 }] },
      ]),
    );
    expect(t.top_tier).toBe(11);
    expect(t.nodes.map((n) => n.toptier)).toEqual([true, true, true, false]);
  });

  it('a faster-than-DRAM CPU-less node (HBM, tier 2) is top tier', () => {
    const t = memoryTiers(
      topo([
        { id: 0, cpus: '0', pfn_ranges: [{ start: 0, end: 100 }] },
        { id: 1, adistance: 300, pfn_ranges: [{ start: 100, end: 200 }] },
      ]),
    );
    expect(t.nodes.map((n) => [n.tier, n.toptier])).toEqual([[4, true], [2, true]]);
  });
});
