import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const FIX = path.resolve(__dirname, '../fixtures');

describe('kpromo topo', () => {
  it('prints a preset as a table with tiers, top-tier verdicts and daemons', async () => {
    const r = await runCli(['topo', '2s-cxl']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ 2\s+│ -\s+│ 2880\s+│ 22\s+│ no\s+│ no\s+│ 0x200000-0x400000/);
    expect(r.stdout).toMatch(/│ 0\s+│ 0-7\s+│ 576\s+│ 4\s+│ yes\s+│ kpromoted0/);
    expect(r.stdout).toContain('top-tier boundary: tier 4');
  });

  it('lists presets, prints JSON that --topology accepts, and builds one from sysfs and numactl -H', async () => {
    expect((await runCli(['topo', '--list'])).stdout).toMatch(/^2s-cxl\s+/m);
    const json = await runCli(['topo', '--from-sysfs', path.join(FIX, 'sysfs-2s-cxl/devices/system/node')]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.nodes.map((n: { id: number }) => n.id)).toEqual([0, 1, 2]);
    expect(doc.nodes[2].adistance).toBe(2880); // memory_tier22
    const n = await runCli(['topo', '--from-numactl', path.join(FIX, 'numactl-2s-cxl.txt')]);
    expect(n.code).toBe(0);
    expect(JSON.parse(n.stdout).nodes).toHaveLength(3);
  });

  it('names the bad key of a topology file and exits 2', async () => {
    const r = await runCli(['topo', path.join(FIX, 'no-such-topology.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no-such-topology.json');
  });

  it('reads numactl -H from stdin with -, honours --page-size, and says what it assumed on stderr', async () => {
    const fs = await import('node:fs');
    const text = fs.readFileSync(path.join(FIX, 'numactl-2s-cxl.txt'), 'utf8');
    const r = await runCli(['topo', '--from-numactl', '-', '--page-size', '65536'], { stdin: text });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.nodes[2].pfn_ranges).toEqual([{ start: '0x20000', end: '0x40000' }]); // 8192 MB * 16 pages
    expect(r.stderr).toContain('kpromo: tiers assumed DRAM (node with CPUs, no tier file): nodes 0,1 at 576 (tier 4)');
    expect(r.stderr).toContain('kpromo: tiers assumed dax/kmem memory, MEMTIER_DEFAULT_DAX_ADISTANCE (CPU-less, no tier file): node 2 at 2880 (tier 22)');
    expect(r.stderr).toContain('kpromo: warning: numactl -H gives node sizes, not physical addresses');
  });

  it('--page-size takes the forms replay takes (64K as 65536), within a base page size, and no spaces', async () => {
    const fs = await import('node:fs');
    const text = fs.readFileSync(path.join(FIX, 'numactl-2s-cxl.txt'), 'utf8');
    const bytes = await runCli(['topo', '--from-numactl', '-', '--page-size', '65536'], { stdin: text });
    const k = await runCli(['topo', '--from-numactl', '-', '--page-size', '64K'], { stdin: text });
    expect(k.code, k.stderr).toBe(0);
    expect(k.stdout).toBe(bytes.stdout);
    expect((await runCli(['topo', '--page-size', '4K', '2s-cxl'])).stdout).toBe((await runCli(['topo', '2s-cxl'])).stdout);
    for (const bad of ['2M', '256', ' 4096', '4 K', '3K']) {
      const r = await runCli(['topo', '--page-size', bad, '2s-cxl']);
      expect(r.code, bad).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`kpromo: --page-size must be a power of two from 512 to 1048576 (4096, 64K), got ${JSON.stringify(bad)}\n`);
    }
  });

  it('--dram-nodes / --slow-nodes override the tiers; --table prints the table with the tier lines', async () => {
    const r = await runCli(['topo', '--from-numactl', path.join(FIX, 'numactl-2s-cxl.txt'), '--dram-nodes', '2', '--table']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/│ 2\s+│ -\s+│ 576\s+│ 4\s+│ yes/);
    expect(r.stdout).toContain('tiers set by --dram-nodes: node 2 at 576 (tier 4)');
    const bad = await runCli(['topo', '--from-numactl', path.join(FIX, 'numactl-2s-cxl.txt'), '--dram-nodes', '2', '--slow-nodes', '1-2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('node 2 is in both --dram-nodes and --slow-nodes');
    const none = await runCli(['topo', '2s-cxl', '--slow-nodes', '1']);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
  });

  it('prints the tier lines of a sysfs copy with tier files as read', async () => {
    const r = await runCli(['topo', '--from-sysfs', path.join(FIX, 'sysfs-2s-cxl')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('kpromo: tiers read from memory_tiering: nodes 0,1 at 576 (tier 4); node 2 at 2880 (tier 22)');
  });
});
