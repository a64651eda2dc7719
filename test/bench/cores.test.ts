import { describe, expect, it } from 'vitest';
import { canPin, coreNote, coresToProbe, probeCores } from '../../bench/cores.js';
import { benchEnv } from '../../bench/environment.js';

describe('bench cores', () => {
  it('says when the cores differ, and by how much', () => {
    const note = coreNote([
      { core: 0, gbs: 2, us: 12 },
      { core: 1, gbs: 10, us: 11.5 },
    ]);
    expect(note).toBe(
      'cores (taskset -c, each alone): cpu0 copies 2.0 GB/s, first touch 12.0 µs a page; cpu1 copies 10.0 GB/s, first touch 11.5 µs a page. ' +
        "The cores differ (5.0x in copy speed): a one-thread program's time depends on the core the scheduler gives it; the native section shows the C code pinned to each core.",
    );
  });

  it('says nothing more when they are alike, and when it could not pin', () => {
    expect(coreNote([{ core: 0, gbs: 9, us: 3 }, { core: 1, gbs: 10, us: 3 }])).not.toMatch(/differ/);
    expect(coreNote(null)).toBe('cores: not probed (taskset -c does not work here)');
  });

  it.runIf(canPin())('measures every core here', () => {
    const probes = probeCores(benchEnv());
    expect(probes).not.toBeNull();
    expect(probes!.map((p) => p.core)).toEqual(coresToProbe());
    for (const p of probes!) {
      expect(p.gbs).toBeGreaterThan(0.05);
      expect(p.us).toBeGreaterThan(0);
    }
  }, 60_000);
});
