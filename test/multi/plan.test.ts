import { describe, expect, it } from 'vitest';
import { planThreads, TINY_WORK_BYTES, type PlanInput } from '../../src/multi/plan.js';

const BIG = 300e6;
const base: PlanInput = { configs: 9, stdin: false, traceBytes: BIG, jobs: null, cores: 2 };

describe('planThreads', () => {
  it('uses every core for a large trace on an idle machine (compare: up to two threads per core)', () => {
    expect(planThreads(base)).toMatchObject({ threads: 2, reason: 'cores', warnings: [] });
    expect(planThreads({ ...base, configs: 3, perCore: 2 })).toMatchObject({ threads: 3, reason: 'cores' });
    expect(planThreads({ ...base, configs: 9, cores: 4 })).toMatchObject({ threads: 4 });
  });

  it('caps --jobs at the number of cores, with a warning', () => {
    const p = planThreads({ ...base, jobs: 256 });
    expect(p.threads).toBe(2);
    expect(p.warnings).toEqual(['--jobs 256 is more than the 2 CPUs of this machine: using 2']);
    expect(planThreads({ ...base, jobs: 2 }).warnings).toEqual([]);
    expect(planThreads({ ...base, jobs: 2, configs: 1 }).threads).toBe(1);
  });

  it('runs a tiny trace in process by default (no worker it cannot use), but obeys an explicit --jobs', () => {
    const tiny = Math.floor(TINY_WORK_BYTES / 9) - 1;
    expect(planThreads({ ...base, traceBytes: tiny })).toMatchObject({ threads: 1, reason: 'tiny' });
    expect(planThreads({ ...base, traceBytes: tiny + 2 })).toMatchObject({ threads: 2, reason: 'cores' });
    expect(planThreads({ ...base, traceBytes: 1000, jobs: 2 })).toMatchObject({ threads: 2, reason: 'jobs' });
  });

  it('uses every core by default, whatever the load (measured faster quiet and beside CPU-bound processes)', () => {
    expect(planThreads({ ...base })).toMatchObject({ threads: 2, reason: 'cores' });
    expect(planThreads({ ...base, cores: 8 })).toMatchObject({ threads: 8, reason: 'cores' });
    expect(planThreads({ ...base, configs: 3, perCore: 2 })).toMatchObject({ threads: 3, reason: 'cores' });
    expect(planThreads({ ...base, jobs: 1 })).toMatchObject({ threads: 1, reason: 'jobs' });
  });

  it('reads standard input in process, saying --jobs is ignored', () => {
    expect(planThreads({ ...base, stdin: true, traceBytes: null })).toMatchObject({ threads: 1, reason: 'stdin', warnings: [] });
    expect(planThreads({ ...base, stdin: true, traceBytes: null, jobs: 2 }).warnings).toEqual([
      'standard input can be read only once: the engines run in this process (--jobs ignored)',
    ]);
  });
});

describe('engine groups under a memory budget', () => {
  const MiB = 1 << 20;
  it('fits the estimate under the budget, at least one engine per thread', async () => {
    const { engineGroup, engineBytes, BASE_BYTES, WORKER_BYTES } = await import('../../src/multi/plan.js');
    // 300 MB of CSV (~11.5 M records) on 2 M slow-tier pages: the pages bound the estimate.
    const per = engineBytes(300e6, 2_000_000);
    expect(per).toBe((3 << 20) + 26 * 2_000_000);
    expect(engineGroup(280 * MiB, 2, per, 64)).toBe(Math.floor((280 * MiB - BASE_BYTES - 2 * WORKER_BYTES) / per));
    expect(engineGroup(64 * MiB, 2, per, 64)).toBe(2);
    expect(engineGroup(8000 * MiB, 1, per, 64)).toBe(64);
    expect(engineBytes(null, 1000)).toBe((3 << 20) + 26 * 1000);
  });

  it('learns from a read: engines that used half the headroom double', async () => {
    const { nextGroup } = await import('../../src/multi/plan.js');
    // 3 engines took the process from 60 to 170 MiB; the budget leaves 220 MiB above 60: 3 * 220 / 110 = 6.
    expect(nextGroup(280 * MiB, 2, 3, 60 * MiB, 170 * MiB, 64)).toBe(6);
    expect(nextGroup(280 * MiB, 2, 3, 60 * MiB, 400 * MiB, 64)).toBe(2);
  });

  it('sizes each read from that read\'s own peak: one read over the budget does not shrink every later one', async () => {
    const { memorySizer } = await import('../../src/multi/plan.js');
    // RSS as measured (MiB): 60 before the run; each read is sampled at its start and at its end (its peak).
    let now = 60;
    const sizer = memorySizer(280 * MiB, 2, 4 * MiB, 64, () => now * MiB);
    const read = (start: number, peak: number, engines: number): number => {
      now = start;
      sizer.start!();
      now = peak;
      return sizer.next(engines);
    };
    // 40 engines peaked at 400 MiB (over the budget): 40 * 220 / 340 = 25.
    expect(read(100, 400, 40)).toBe(25);
    // 25 engines then peaked at 170 MiB: 25 * 220 / 110 = 50, although the process's peak is still 400 MiB.
    expect(read(120, 170, 25)).toBe(50);
  });
});

