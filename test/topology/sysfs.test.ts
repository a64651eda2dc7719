import { describe, it, expect, afterEach } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryTiers } from '../../src/engine/topology.js';
import { PRESETS } from '../../src/topology/presets.js';
import { readSysfs, topologyFromSysfs } from '../../src/topology/sysfs.js';
import { topologyError } from './helpers.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const range = (start: number, end: number) => ({ start, end, kind: 'lru' });

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes a tree of files ({"a/b": "text"}) under a fresh temporary directory. */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-sysfs-'));
  tmpDirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('topologyFromSysfs', () => {
  it('reads a /sys copy with memory tiers into the 2s-cxl layout', () => {
    // 2 GiB blocks (0x80000000 bytes) = 0x80000 pages: blocks 0-1 on node 0, 2-3 on node 1, 4-7 on node 2.
    // memory_tier4 = nodes 0-1 -> 4*128+64 = 576; memory_tier22 = node 2 -> 22*128+64 = 2880.
    const dir = fixture('sysfs-2s-cxl/devices/system/node');
    const topo = topologyFromSysfs(dir);
    expect(topo.name).toBe(`sysfs:${dir}`);
    expect(topo.nodes).toEqual(PRESETS['2s-cxl']!.nodes);
  });

  it('reads a bare node dir (block size in ./memory, no tiers) with holes; CPU-less nodes are dax/kmem memory', () => {
    // 128 MiB blocks = 0x8000 pages. node0: blocks 0 and 2 (hole at 1); node1: block 3 (no phys_index
    // file, so its name is used); node2: blocks 4,5 merged; node3: memory6 whose phys_index is 0x10.
    // No tier files: CPU nodes 0,1 are DRAM (576); CPU-less nodes 2 and 3 get MEMTIER_DEFAULT_DAX_ADISTANCE
    // (2880), whatever their SLIT distances (node 2 is 21 from both sockets, as near as the other socket).
    const built = readSysfs(fixture('sysfs-4n-notier/node'));
    const topo = built.topology;
    expect(topo.nodes.map((n) => [n.id, n.cpus, n.adistance, n.pfn_ranges])).toEqual([
      [0, [0, 1, 2, 3], 576, [range(0, 0x8000), range(0x10000, 0x18000)]],
      [1, [4, 5, 6, 7], 576, [range(0x18000, 0x20000)]],
      [2, [], 2880, [range(0x20000, 0x30000)]],
      [3, [], 2880, [range(0x80000, 0x88000)]],
    ]);
    const tiers = memoryTiers(topo);
    expect(tiers.nodes.map((n) => n.toptier)).toEqual([true, true, false, false]);
    expect(built.tiers.map((t) => t.source)).toEqual(['cpu_node', 'cpu_node', 'dax_default', 'dax_default']);
    // --dram-nodes 2: the rare CPU-less DRAM/HBM node; --slow-nodes 1 works on a CPU node too.
    const over = readSysfs(fixture('sysfs-4n-notier/node'), { overrides: { dram: [2], slow: [1] } });
    expect(over.topology.nodes.map((n) => n.adistance)).toEqual([576, 2880, 576, 2880]);
    expect(over.tiers.map((t) => t.source)).toEqual(['cpu_node', 'slow_override', 'dram_override', 'dax_default']);
  });

  it('follows memoryM symlinks into ../memory like the real /sys', () => {
    const root = tree({
      'system/memory/block_size_bytes': '8000000\n',
      'system/memory/memory1/phys_index': '00000001\n',
      'system/memory/memory9/phys_index': '00000009\n',
      'system/node/node0/cpulist': '0-1\n',
      'system/node/node1/cpulist': '\n',
    });
    fs.symlinkSync('../../memory/memory1', path.join(root, 'system/node/node0/memory1'));
    fs.symlinkSync('../../memory/memory9', path.join(root, 'system/node/node1/memory9'));
    const topo = topologyFromSysfs(path.join(root, 'system/node'));
    // No distance files: the CPU-less node is taken to be slow memory.
    expect(topo.nodes.map((n) => [n.id, n.adistance, n.pfn_ranges])).toEqual([
      [0, 576, [range(0x8000, 0x10000)]],
      [1, 2880, [range(0x48000, 0x50000)]],
    ]);
  });

  it('honours a page size parameter', () => {
    // 64 KiB pages: a 128 MiB block is 0x800 pages.
    const topo = topologyFromSysfs(fixture('sysfs-4n-notier/node'), 65536);
    expect(topo.nodes[1]!.pfn_ranges).toEqual([range(3 * 0x800, 4 * 0x800)]);
  });

  it('reads tier files from DIR/memory_tiering too, with a single CPU node', () => {
    const root = tree({
      'node/node0/cpulist': '0-3\n',
      'node/node0/distance': '10 14\n',
      'node/node0/memory0/phys_index': '0\n',
      'node/node1/cpulist': '\n',
      'node/node1/distance': '14 10\n',
      'node/node1/memory1/phys_index': '1\n',
      'node/memory/block_size_bytes': '8000000\n',
      'node/memory_tiering/memory_tier4/nodelist': '0-1\n',
    });
    // The tier file says node 1 is DRAM, although the heuristic (14 > 10) would call it slow.
    expect(topologyFromSysfs(path.join(root, 'node')).nodes.map((n) => n.adistance)).toEqual([576, 576]);
    fs.rmSync(path.join(root, 'node/memory_tiering'), { recursive: true });
    expect(topologyFromSysfs(path.join(root, 'node')).nodes.map((n) => n.adistance)).toEqual([576, 2880]);
  });

  it('errors without node directories', () => {
    const e = topologyError(() => topologyFromSysfs(tree({ 'x/README': 'hi' })));
    expect(e.message).toContain('no nodeN directories');
  });

  it('errors on a missing or bad cpulist, naming the node', () => {
    let e = topologyError(() => topologyFromSysfs(tree({ 'node3/distance': '10\n' })));
    expect(e.path).toBe('node3/cpulist');
    expect(e.message).toContain('node 3');
    e = topologyError(() => topologyFromSysfs(tree({ 'node0/cpulist': '0-a\n' })));
    expect(e.path).toBe('node0/cpulist');
    expect(e.message).toContain('"0-a');
  });

  it('does not read distances (the kernel does not derive tiers from them)', () => {
    const root = tree({ 'node0/cpulist': '0\n', 'node0/distance': '10 20\n', 'node0/meminfo': 'Node 0 MemTotal: 1024 kB\n' });
    expect(topologyFromSysfs(root).nodes[0]!.pfn_ranges).toEqual([range(0, 256)]);
  });

  it('errors when memory blocks exist but block_size_bytes does not', () => {
    const root = tree({ 'node0/cpulist': '0\n', 'node0/memory0/phys_index': '0\n' });
    expect(topologyError(() => topologyFromSysfs(root)).path).toBe('memory/block_size_bytes');
  });

  it('errors on a bad phys_index, quoting it', () => {
    const root = tree({ 'node0/cpulist': '0\n', 'node0/memory0/phys_index': 'zz\n', 'memory/block_size_bytes': '8000000\n' });
    const e = topologyError(() => topologyFromSysfs(root));
    expect(e.path).toBe('node0/memory0/phys_index');
    expect(e.message).toContain('"zz"');
  });

  it('errors on a phys_index beyond 2^53 pfns naming its own file and text (it named node1/memory<index> before)', () => {
    const root = tree({
      'node0/cpulist': '0\n',
      'node0/memory0/phys_index': '00000000\n',
      'node1/cpulist': '\n',
      'node1/memory2/phys_index': '100000000000000000000\n',
      'memory/block_size_bytes': '8000000\n',
    });
    const e = topologyError(() => topologyFromSysfs(root));
    expect(e.path).toBe('node1/memory2/phys_index');
    expect(e.message).toBe(
      `${root}: node1/memory2/phys_index: node 1: phys_index "100000000000000000000" puts the block at pfns ` +
        '[0x800000000000000000000000, 0x800000000000000000008000), above 2^53 (blocks of 0x8000000 bytes)',
    );
    // Without phys_index the block number is the name's, read as written.
    fs.rmSync(path.join(root, 'node1/memory2'), { recursive: true });
    fs.mkdirSync(path.join(root, 'node1/memory99999999999999999999'));
    const n = topologyError(() => topologyFromSysfs(root));
    expect(n.path).toBe('node1/memory99999999999999999999');
    expect(n.message).toContain('block memory99999999999999999999 (no phys_index file: the number in its name) puts the block at pfns [0x2b5e3af16b187ffff8000,');
  });

  it('takes a last block that ends at pfn 2^53 exactly', () => {
    // 128 MiB blocks = 2^15 pages: block 2^38 - 1 ends at 2^53.
    const root = tree({ 'node0/cpulist': '0\n', 'node0/memory0/phys_index': (2 ** 38 - 1).toString(16) + '\n', 'memory/block_size_bytes': '8000000\n' });
    expect(topologyFromSysfs(root).nodes[0]!.pfn_ranges).toEqual([range(2 ** 53 - 2 ** 15, 2 ** 53)]);
  });

  it('accepts a cpulist with a trailing NUL (seen in a real Linux 5.15 capture): the kernel stops at NUL', () => {
    const root = tree({
      'node/node0/cpulist': '0-31\n\0',
      'node/node0/memory0/phys_index': '00000000\n',
      'node/memory/block_size_bytes': '8000000\n',
    });
    expect(topologyFromSysfs(path.join(root, 'node')).nodes[0]!.cpus).toHaveLength(32);
  });

  it('leaves offline memory blocks out of their node, and says so', () => {
    // node0: memory0 online, memory1 offline, memory2 without a state file (online): [0, 0x8000) and [0x10000, 0x18000).
    const root = tree({
      'node/node0/cpulist': '0\n',
      'node/node0/memory0/phys_index': '00000000\n',
      'node/node0/memory0/state': 'online\n',
      'node/node0/memory1/phys_index': '00000001\n',
      'node/node0/memory1/state': 'offline\n',
      'node/node0/memory2/phys_index': '00000002\n',
      'node/memory/block_size_bytes': '8000000\n',
    });
    const b = readSysfs(path.join(root, 'node'));
    expect(b.topology.nodes[0]!.pfn_ranges).toEqual([range(0, 0x8000), range(0x10000, 0x18000)]);
    expect(b.notes).toEqual(['node 0: 1 memory block not online, left out: memory1 (offline)']);
  });

  it('without any memoryN entry lays nodes out back to back from meminfo MemTotal, with a warning', () => {
    // node0 MemTotal 4194304 kB = 4 GiB = 0x100000 pages; node1 (CPU-less) 2097152 kB = 0x80000; node2 0 kB: no memory.
    const root = tree({
      'node/node0/cpulist': '0-3\n',
      'node/node0/meminfo': 'Node 0 MemTotal:        4194304 kB\nNode 0 MemFree:         4000000 kB\n',
      'node/node1/cpulist': '\n',
      'node/node1/meminfo': 'Node 1 MemTotal:        2097152 kB\n',
      'node/node2/cpulist': '4\n',
      'node/node2/meminfo': 'Node 2 MemTotal:              0 kB\n',
    });
    const b = readSysfs(path.join(root, 'node'));
    expect(b.topology.nodes.map((n) => [n.id, n.adistance, n.pfn_ranges])).toEqual([
      [0, 576, [range(0, 0x100000)]],
      [1, 2880, [range(0x100000, 0x180000)]],
      [2, 576, []],
    ]);
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0]).toContain('synthetic');
  });

  it('without memoryN entries and without MemTotal stops with an error naming what is missing', () => {
    const root = tree({ 'node/node0/cpulist': '0\n', 'node/node0/meminfo': 'Node 0 MemFree: 5 kB\n', 'node/node1/cpulist': '\n' });
    const e = topologyError(() => readSysfs(path.join(root, 'node')));
    expect(e.path).toBe('node0/meminfo');
    expect(e.message).toContain('no node lists memory blocks');
    expect(e.message).toContain('node0/meminfo (no "Node 0 MemTotal: ... kB" line), node1/meminfo');
  });

  it('finds the node directory under /sys or /sys/devices/system', () => {
    const root = tree({
      'devices/system/node/node0/cpulist': '0\n',
      'devices/system/node/node0/memory0/phys_index': '0\n',
      'devices/system/memory/block_size_bytes': '8000000\n',
      'devices/virtual/memory_tiering/memory_tier4/nodelist': '0\n',
    });
    for (const dir of [root, path.join(root, 'devices/system'), path.join(root, 'devices/system/node')]) {
      const b = readSysfs(dir);
      expect(b.topology.nodes[0]!.pfn_ranges).toEqual([range(0, 0x8000)]);
      expect(b.tiers).toEqual([{ node: 0, adistance: 576, source: 'tier_file', tier: 4 }]);
    }
  });
});
