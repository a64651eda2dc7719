import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildHarness, harnessEngineStats, harnessStats, runHarness, vmstat } from '../../bench/native.js';

const hasCc = spawnSync(process.env['CC'] ?? 'cc', ['--version'], { stdio: 'ignore' }).status === 0;

/**
 * Builds the harness and runs `body` with it and a trace of three accesses: two to a CXL page of preset 2s-cxl, then one
 * to a DRAM page 300 jiffies later (a pass runs between).
 */
async function withHarnessAndTrace(body: (path: string, trace: string) => Promise<void>): Promise<void> {
  const built = buildHarness();
  if ('error' in built) throw new Error(built.error);
  const dir = mkdtempSync(join(tmpdir(), 'kpromo-native-'));
  try {
    const trace = join(dir, 'trace.csv');
    writeFileSync(trace, 'pfn,nid,src,time\n0x200001,0,hwhints,1000\n0x200001,0,hwhints,1001\n0x100,0,pgtscan,1300\n');
    await body(built.path, trace);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('bench native reference', () => {
  it("reads the harness's CPU time, peak RSS and page faults from its stderr line", () => {
    expect(harnessStats('cpu_ms 731 maxrss_kib 10240 minflt 2258\n')).toEqual({ cpuMs: 731, maxRssKiB: 10240, minorFaults: 2258 });
    expect(harnessStats('trace.csv:3: bad pfn\n')).toBeNull();
    // A harness of before the page faults were printed is not read as one with 0 faults.
    expect(harnessStats('cpu_ms 731 maxrss_kib 10240\n')).toBeNull();
  });

  it('reads the engine-alone time from its stderr line', () => {
    expect(harnessEngineStats('engine_ms 543.782 engine_cpu_ms 543.723\ncpu_ms 1773 maxrss_kib 244532 minflt 60907\n')).toEqual({
      engineMs: 543.782,
      engineCpuMs: 543.723,
    });
    expect(harnessEngineStats('engine_ms 12 engine_cpu_ms 11\n')).toEqual({ engineMs: 12, engineCpuMs: 11 });
    expect(harnessEngineStats('cpu_ms 1773 maxrss_kib 244532 minflt 60907\n')).toBeNull();
  });

  it.runIf(hasCc)('runs the record and migrate code alone on records held in memory, with the counters of a whole run', () =>
    withHarnessAndTrace(async (path, trace) => {
      const whole = await runHarness(path, trace);
      const alone = await runHarness(path, trace, null, ['--engine-alone']);
      expect(alone.stdout).toBe(whole.stdout);
      // Worked out from the patch's code: the CXL page's second access finds (last_update - now) wrapped around (the
      // operands as posted), a new window, so its frequency stays 1; the pass at 1250 finds it below the threshold
      // (cold_not_accessed) and drops its record; the DRAM access at 1300 counts as top-tier.
      const counts = vmstat(alone.stdout);
      expect(counts.get('kpromoted_record_added')).toBe('1');
      expect(counts.get('kpromoted_record_exists')).toBe('1');
      expect(counts.get('kpromoted_record_toptier')).toBe('1');
      expect(counts.get('kpromoted_mig_cold_not_accessed')).toBe('1');
      expect(counts.get('kpromoted_mig_dropped')).toBe('1');
      expect(counts.get('kpromoted_mig_promoted')).toBe('0');
      expect(harnessEngineStats(alone.stderr)).not.toBeNull();
      expect(harnessEngineStats(whole.stderr)).toBeNull();
    }), 60_000);

  it.runIf(hasCc)('builds the harness and counts its page faults on a replay', () =>
    withHarnessAndTrace(async (path, trace) => {
      const run = await runHarness(path, trace);
      expect(vmstat(run.stdout).get('kpromoted_recorded_accesses')).toBe('3');
      expect(run.minorFaults).toBeGreaterThan(0);
      expect(run.maxRssKiB).toBeGreaterThan(0);
    }), 60_000);
});
