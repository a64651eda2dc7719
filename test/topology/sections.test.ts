/** Ranges that do not start on a 128 MiB memory section, and what pghot does with them; derived by hand. */
import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { parseTopology } from '../../src/topology/parse.js';
import { PRESETS } from '../../src/topology/presets.js';
import { renderTopology, sectionLines } from '../../src/topology/render.js';
import { pagesPerSection, unalignedRanges } from '../../src/topology/sections.js';

// Laid out from numactl sizes of 1000 MB each (256000 = 0x3e800 pages): never section-aligned.
const NUMA = parseTopology(
  {
    name: 'mb',
    nodes: [
      { id: 0, cpus: '0', pfn_ranges: [{ start: 0, end: 0x3e800 }] },
      { id: 1, cpus: '1', pfn_ranges: [{ start: 0x3e800, end: 0x7d000 }] },
      { id: 2, adistance: 2880, pfn_ranges: [{ start: 0x7d000, end: 0xbb800 }] },
      { id: 3, adistance: 2880, pfn_ranges: [{ start: 0xbb800, end: 0xfa000 }] },
    ],
  },
  'mb.json',
);

describe('unalignedRanges', () => {
  it('PAGES_PER_SECTION is 2^(27 - PAGE_SHIFT)', () => {
    expect([pagesPerSection(), pagesPerSection(16384), pagesPerSection(65536)]).toEqual([0x8000, 0x2000, 0x800]);
  });

  it('names the section, its owner and the effect for every range starting inside another node`s section', () => {
    expect(unalignedRanges(NUMA)).toEqual([
      // 0x3e800 / 0x8000 = 7.8: section 7 starts at 0x38000 on node 0; node 1 is top tier: no effect.
      { node: 1, start: 0x3e800, end: 0x7d000, section: 7, section_start: 0x38000, owner: 0, affected_end: 0x40000, effect: 'none' },
      // section 15 (0x78000) belongs to top-tier node 1: no hot map, node 2's first pages are never recorded.
      { node: 2, start: 0x7d000, end: 0xbb800, section: 15, section_start: 0x78000, owner: 1, affected_end: 0x80000, effect: 'not_recorded' },
      // section 23 (0xb8000) belongs to lower-tier node 2: kmigrated2 walks it and skips node 3's pages.
      { node: 3, start: 0xbb800, end: 0xfa000, section: 23, section_start: 0xb8000, owner: 2, affected_end: 0xc0000, effect: 'never_walked' },
    ]);
  });

  it('a range after a gap whose section starts in no range; aligned presets have none', () => {
    const t = parseTopology({ nodes: [{ id: 0, cpus: '0', pfn_ranges: [{ start: 0, end: 0x8000 }] }, { id: 1, adistance: 2880, pfn_ranges: [{ start: 0x10010, end: 0x20000 }] }] }, 'g');
    expect(unalignedRanges(t)).toEqual([
      { node: 1, start: 0x10010, end: 0x20000, section: 2, section_start: 0x10000, owner: null, affected_end: 0x18000, effect: 'not_recorded' },
    ]);
    for (const p of Object.values(PRESETS)) expect(unalignedRanges(p)).toEqual([]);
  });
});

describe('unalignedRanges at scale', () => {
  /** The owner of a section's first pfn by a plain scan of every range: the reference for the binary search. */
  function ownerByScan(t: ReturnType<typeof parseTopology>, pfn: number): number | null {
    for (const n of t.nodes) for (const r of n.pfn_ranges) if (r.start <= pfn && pfn < r.end) return r.kind === 'device' ? null : n.id;
    return null;
  }

  it('finds the same owners as a scan, on seeded topologies with gaps, device ranges and ranges of several nodes', () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let t = 0; t < 30; t++) {
      const nodes = [0, 1, 2].map((id) => ({ id, ...(id === 0 ? { cpus: '0' } : { adistance: 2880 }), pfn_ranges: [] as object[] }));
      let pfn = rnd(0x10000);
      for (let k = 0; k < 40; k++) {
        pfn += rnd(3) === 0 ? rnd(0x20000) : 0;
        const len = 1 + rnd(0x18000);
        nodes[rnd(3)]!.pfn_ranges.push({ start: pfn, end: pfn + len, ...(rnd(6) === 0 ? { kind: 'device' } : {}) });
        pfn += len;
      }
      const topo = parseTopology({ nodes }, `seed${t}`);
      const got = unalignedRanges(topo);
      for (const u of got) expect(u.owner, `${topo.name} ${u.start}`).toBe(ownerByScan(topo, u.section_start));
      const starts = topo.nodes.flatMap((n) => n.pfn_ranges.map((r) => ({ node: n.id, start: r.start })));
      const listed = starts.filter((r) => r.start % 0x8000 !== 0 && ownerByScan(topo, r.start - (r.start % 0x8000)) !== r.node);
      expect(got.length).toBe(listed.length);
    }
  });

  // A scale test, not a timed one: one scan per range (quadratic) took over a minute here; figures belong to the bench.
  it('200 000 unaligned ranges: every owner found', () => {
    const n = 200_000;
    const ranges = Array.from({ length: n }, (_, j) => ({ start: j * 10, end: j * 10 + 5 }));
    const topo = parseTopology({ nodes: [{ id: 0, cpus: '0', pfn_ranges: ranges }] }, 'many');
    const got = unalignedRanges(topo);
    // Ranges starting in a section whose first pfn (a multiple of 0x8000) falls in a gap, not in a range of node 0.
    expect(got.length).toBe(ranges.filter((r) => r.start % 0x8000 !== 0 && (r.start - (r.start % 0x8000)) % 10 >= 5).length);
  });
});

describe('kpromo topo section and tier lines', () => {
  const plain = new Chalk({ level: 0 });
  it('lists unaligned ranges under the table', () => {
    const lines = sectionLines(NUMA);
    expect(lines[0]).toBe('memory sections (128 MiB = 0x8000 pages): 3 ranges start mid-section:');
    expect(lines[2]).toBe(
      '  node 2 0x7d000-0xbb800: pages 0x7d000-0x80000 lie in section 15 (0x78000), which belongs to node 1: pghot never records accesses there (no hot map)',
    );
    expect(lines[3]).toContain("pghot never promotes them (kmigrated2 walks the section and skips node 3's pages)");
    expect(renderTopology(NUMA, plain)).toContain('3 ranges start mid-section');
  });

  it('says where tiers came from when it knows', () => {
    const out = renderTopology(PRESETS['2s-cxl']!, plain, {
      tiers: [
        { node: 0, adistance: 576, source: 'tier_file', tier: 4 },
        { node: 1, adistance: 576, source: 'cpu_node' },
        { node: 2, adistance: 2880, source: 'dax_default' },
      ],
    });
    expect(out).toContain('tiers read from memory_tiering: node 0 at 576 (tier 4)');
    expect(out).toContain('tiers assumed DRAM (node with CPUs, no tier file): node 1 at 576 (tier 4)');
    expect(out).toContain('tiers assumed dax/kmem memory, MEMTIER_DEFAULT_DAX_ADISTANCE (CPU-less, no tier file): node 2 at 2880 (tier 22)');
    expect(renderTopology(PRESETS['2s-cxl']!, plain)).toContain('tiers: adistance as given in the topology');
  });
});
