import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildHarness, harnessStats, runHarness, vmstat } from '../../bench/native.js';

const hasCc = spawnSync(process.env['CC'] ?? 'cc', ['--version'], { stdio: 'ignore' }).status === 0;

describe('bench native reference', () => {
  it("reads the harness's CPU time, peak RSS and page faults from its stderr line", () => {
    expect(harnessStats('cpu_ms 731 maxrss_kib 10240 minflt 2258\n')).toEqual({ cpuMs: 731, maxRssKiB: 10240, minorFaults: 2258 });
    expect(harnessStats('trace.csv:3: bad pfn\n')).toBeNull();
    // A harness of before the page faults were printed is not read as one with 0 faults.
    expect(harnessStats('cpu_ms 731 maxrss_kib 10240\n')).toBeNull();
  });

  it.runIf(hasCc)('builds the harness and counts its page faults on a replay', async () => {
    const built = buildHarness();
    if ('error' in built) throw new Error(built.error);
    const dir = mkdtempSync(join(tmpdir(), 'kpromo-native-'));
    try {
      const trace = join(dir, 'trace.csv');
      // Three accesses: two to a CXL page of preset 2s-cxl, then one to a DRAM page 300 jiffies later (a pass runs).
      writeFileSync(trace, 'pfn,nid,src,time\n0x200001,0,hwhints,1000\n0x200001,0,hwhints,1001\n0x100,0,pgtscan,1300\n');
      const run = await runHarness(built.path, trace);
      expect(vmstat(run.stdout).get('kpromoted_recorded_accesses')).toBe('3');
      expect(run.minorFaults).toBeGreaterThan(0);
      expect(run.maxRssKiB).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
