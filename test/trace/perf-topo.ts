import type { Topology, NodeSpec } from '../../src/engine/topology.js';

const node = (id: number, cpus: number[], start: number, end: number, adistance: number): NodeSpec => ({
  id, cpus, adistance, pfn_ranges: [{ start, end, kind: 'lru' }], free_pages: null, high_wmark_pages: 0,
});

/** The `2s-cxl` preset of SPEC 7: node 0 cpus 0-7, node 1 cpus 8-15, node 2 CXL without CPUs. */
export const TOPO_2S_CXL: Topology = {
  name: '2s-cxl',
  nodes: [
    node(0, [0, 1, 2, 3, 4, 5, 6, 7], 0, 0x100000, 576),
    node(1, [8, 9, 10, 11, 12, 13, 14, 15], 0x100000, 0x200000, 576),
    node(2, [], 0x200000, 0x400000, 2880),
  ],
};
