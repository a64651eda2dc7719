import { describe, it, expect, afterEach } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryTiers } from '../../src/engine/topology.js';
import { PRESETS } from '../../src/topology/presets.js';
import { topologyFromSysfs } from '../../src/topology/sysfs.js';
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

  it('reads a bare node dir (block size in ./memory, no tiers) with holes and the distance heuristic', () => {
    // 128 MiB blocks = 0x8000 pages. node0: blocks 0 and 2 (hole at 1); node1: block 3 (no phys_index
    // file, so its name is used); node2: blocks 4,5 merged; node3: memory6 whose phys_index is 0x10.
    // CPU nodes 0,1 are 21 apart. node2 is 21 from both (not greater) -> DRAM 576; node3 is 30 -> 2880.
    const topo = topologyFromSysfs(fixture('sysfs-4n-notier/node'));
    expect(topo.nodes.map((n) => [n.id, n.cpus, n.adistance, n.pfn_ranges])).toEqual([
      [0, [0, 1, 2, 3], 576, [range(0, 0x8000), range(0x10000, 0x18000)]],
      [1, [4, 5, 6, 7], 576, [range(0x18000, 0x20000)]],
      [2, [], 576, [range(0x20000, 0x30000)]],
      [3, [], 2880, [range(0x80000, 0x88000)]],
    ]);
    const tiers = memoryTiers(topo);
    expect(tiers.nodes.map((n) => n.toptier)).toEqual([true, true, true, false]);
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

  it('errors on a distance row of the wrong length', () => {
    const root = tree({ 'node0/cpulist': '0\n', 'node0/distance': '10 20\n' });
    const e = topologyError(() => topologyFromSysfs(root));
    expect(e.path).toBe('node0/distance');
    expect(e.message).toContain('"10 20"');
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
});
