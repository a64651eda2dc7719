import { describe, it, expect } from 'vitest';
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PRESETS } from '../../src/topology/presets.js';
import { readNumactl, topologyFromNumactl } from '../../src/topology/numactl.js';
import { topologyError } from './helpers.js';

const fixture = (p: string): string => fs.readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url)), 'utf8');
const range = (start: number, end: number) => ({ start, end, kind: 'lru' });

describe('topologyFromNumactl', () => {
  it('lays a 2-socket + CXL machine out like the 2s-cxl preset', () => {
    // 4096 MB * 256 = 0x100000 pages per socket, 8192 MB = 0x200000 for node 2; node 2 is CPU-less:
    // dax/kmem memory, 2880.
    const topo = topologyFromNumactl(fixture('numactl-2s-cxl.txt'), 'h.txt');
    expect(topo.name).toBe('numactl:h.txt');
    expect(topo.nodes).toEqual(PRESETS['2s-cxl']!.nodes);
  });

  it('reads --cpu-compress lists, sparse node ids and 4-wide distances', () => {
    // node 0: 1024 MB -> [0, 0x40000); node 1: 2048 MB -> [0x40000, 0xc0000); node 3: 512 MB -> [0xc0000, 0xe0000).
    // node 3 is CPU-less: dax/kmem memory (2880) whatever its distances (20 from node 1, as near as a socket).
    const topo = topologyFromNumactl(fixture('numactl-compress.txt'), 'c.txt');
    expect(topo.nodes.map((n) => [n.id, n.cpus, n.adistance, n.pfn_ranges])).toEqual([
      [0, [0, 1, 2, 3, 8, 9, 10, 11], 576, [range(0, 0x40000)]],
      [1, [4, 5, 6, 7, 12, 13, 14, 15], 576, [range(0x40000, 0xc0000)]],
      [3, [], 2880, [range(0xc0000, 0xe0000)]],
    ]);
  });

  it('treats CPU-less nodes as slow memory without distance information', () => {
    const topo = topologyFromNumactl(fixture('numactl-1s-nodist.txt'), 'n.txt');
    expect(topo.nodes.map((n) => [n.id, n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 4, 576, [range(0, 0x80000)]],
      [1, 0, 2880, [range(0x80000, 0xc0000)]],
    ]);
  });

  it('reads the single-socket example quoted in the reference notes (CPU-less node 1: dax/kmem memory)', () => {
    const text = [
      'available: 2 nodes (0-1)',
      'node 0 cpus: 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31',
      'node 0 size: 15264 MB',
      'node 0 free: 12065 MB',
      'node 1 cpus:',
      'node 1 size: 16127 MB',
      'node 1 free: 15924 MB',
      'node distances:',
      'node   0   1',
      '  0:  10  14',
      '  1:  14  10',
      '',
    ].join('\n');
    const topo = topologyFromNumactl(text, 'nomad');
    // 15264 * 256 = 3907584; 16127 * 256 = 4128512.
    expect(topo.nodes.map((n) => [n.id, n.cpus.length, n.adistance, n.pfn_ranges])).toEqual([
      [0, 32, 576, [range(0, 3907584)]],
      [1, 0, 2880, [range(3907584, 3907584 + 4128512)]],
    ]);
  });

  it('gives a node of size <not available> or 0 MB no memory', () => {
    const topo = topologyFromNumactl('node 0 cpus: 0\nnode 0 size: <not available>\nnode 1 cpus: 1\nnode 1 size: 0 MB\n', 'x');
    expect(topo.nodes.map((n) => n.pfn_ranges)).toEqual([[], []]);
  });

  it('errors on an unknown line, naming the line number and quoting it', () => {
    const e = topologyError(() => topologyFromNumactl('node 0 cpus: 0\nnode 0 size: 5 GB\n', 'h.txt'));
    expect(e.source).toBe('h.txt');
    expect([e.line, e.column]).toEqual([2, 1]);
    expect(e.message).toBe('h.txt:2:1: unrecognized numactl -H line: "node 0 size: 5 GB"');
  });

  it('errors on a bad cpu list', () => {
    const e = topologyError(() => topologyFromNumactl('node 0 cpus: 0 x\nnode 0 size: 1 MB\n', 'h.txt'));
    expect([e.line, e.column]).toEqual([1, 13]);
    expect(e.message).toContain('node 0');
  });

  it('errors on a short distance row', () => {
    const text = 'node 0 cpus: 0\nnode 0 size: 1 MB\nnode distances:\nnode   0\n  0:  10  20\n';
    expect(topologyError(() => topologyFromNumactl(text, 'h.txt'))).toMatchObject({ line: 5, column: 3 });
  });

  it('errors on a line numactl prints once given twice, naming both lines (the second used to override the first)', () => {
    const head = 'available: 2 nodes (0-1)\nnode 0 cpus: 0 1\nnode 0 size: 1000 MB\nnode 0 free: 1 MB\n';
    const dist = 'node distances:\nnode   0   1 \n  0:  10  20 \n  1:  20  10 \n';
    const r5 = head + 'node 1 cpus: 2 3\nnode 1 cpus: 8 9\nnode 1 size: 1000 MB\nnode 1 size: 10 MB\nnode 1 free: 1 MB\n' + dist;
    const e = topologyError(() => topologyFromNumactl(r5, 'r5.txt'));
    expect([e.line, e.column]).toEqual([6, 1]);
    expect(e.message).toBe('r5.txt:6:1: a second "node 1 cpus:" line (the first is line 5; numactl -H prints it once): "node 1 cpus: 8 9"');
    const sizes = head + 'node 1 cpus: 2 3\nnode 1 size: 1000 MB\nnode 1 size: 10 MB\nnode 1 free: 1 MB\n' + dist;
    expect(topologyError(() => topologyFromNumactl(sizes, 'h.txt')).message).toMatch(/^h\.txt:7:1: a second "node 1 size:" line \(the first is line 6;/);
    const rows = head + 'node 1 cpus: 2 3\nnode 1 size: 1000 MB\nnode 1 free: 1 MB\n' + dist + '  1:  20  10 \n';
    expect(topologyError(() => topologyFromNumactl(rows, 'h.txt')).message).toMatch(/^h\.txt:12:3: a second distance row for node 1 \(the first is line 11;/);
    expect(topologyError(() => topologyFromNumactl(head + head, 'h.txt'))).toMatchObject({ line: 5 });
    expect(topologyError(() => topologyFromNumactl('node 0 cpus: 0\nnode 0 size: 1 MB\nnode 0 free: 1 MB\nnode 0 free: 1 MB\n', 'h.txt'))).toMatchObject({ line: 4 });
  });

  it('errors on a size beyond 2^53 pfns at the size, as written, alone or laid out after the others', () => {
    const e = topologyError(() => topologyFromNumactl('node 0 cpus: 0 1\nnode 0 size: 1000 MB\nnode 1 cpus: 2 3\n  node 1 size: 18446744073709551616 MB\n', 'r6.txt'));
    expect(e.message).toBe('r6.txt:4:16: node 1 size 18446744073709551616 MB is more than 2^53 pages of 4096 bytes');
    // Each fits (2^53 - 256 and 2^53 pages), the second does not after the first.
    const two = 'node 0 cpus: 0\nnode 0 size: 35184372088831 MB\nnode 1 cpus: 1\nnode 1 size: 35184372088832 MB\n';
    expect(topologyError(() => topologyFromNumactl(two, 'h.txt')).message).toBe(
      'h.txt:4:14: node 1 size 35184372088832 MB: laid out after the nodes before it, its memory would end at pfn 18014398509481728, above 2^53',
    );
    expect(topologyFromNumactl('node 0 cpus: 0\nnode 0 size: 35184372088832 MB\n', 'h.txt').nodes[0]!.pfn_ranges).toEqual([range(0, 2 ** 53)]);
  });

  it('errors when "available:" disagrees with the node lines', () => {
    const e = topologyError(() => topologyFromNumactl('available: 2 nodes (0-1)\nnode 0 cpus: 0\nnode 0 size: 1 MB\n', 'h.txt'));
    expect(e.message).toContain('0,1');
  });

  it('errors on a node without a size line, and on empty input', () => {
    expect(topologyError(() => topologyFromNumactl('node 0 cpus: 0\n', 'h.txt')).message).toContain('node 0 size:');
    expect(topologyError(() => topologyFromNumactl('', 'h.txt')).message).toContain('numactl -H');
  });

  it('errors (via validation) when no node has CPUs', () => {
    const e = topologyError(() => topologyFromNumactl('node 0 cpus:\nnode 0 size: 1 MB\n', 'h.txt'));
    expect(e.path).toBe('nodes');
  });

  it('honours the page size, warns that ranges are synthetic, and applies --dram-nodes', () => {
    // 64 KiB pages: 16 pages per MB. node 0 4096 MB -> 0x10000 pages; node 1 0x10000; node 2 8192 MB -> 0x20000.
    const b = readNumactl(fixture('numactl-2s-cxl.txt'), 'h.txt', { pageSize: 65536, overrides: { dram: [2] } });
    expect(b.topology.nodes.map((n) => [n.id, n.adistance, n.pfn_ranges])).toEqual([
      [0, 576, [range(0, 0x10000)]],
      [1, 576, [range(0x10000, 0x20000)]],
      [2, 576, [range(0x20000, 0x40000)]],
    ]);
    expect(b.tiers.map((t) => t.source)).toEqual(['cpu_node', 'cpu_node', 'dram_override']);
    expect(b.warnings[0]).toContain('synthetic');
    expect(b.warnings[0]).toContain('16 pages of 65536 bytes per MB');
  });

  it('refuses a page size that does not divide a MB and an override naming no node', () => {
    expect(topologyError(() => readNumactl(fixture('numactl-2s-cxl.txt'), 'h.txt', { pageSize: 3000 })).message).toContain('power of two');
    expect(() => readNumactl(fixture('numactl-2s-cxl.txt'), 'h.txt', { overrides: { slow: [7] } })).toThrow(/--slow-nodes: h.txt has no node 7/);
  });
});
