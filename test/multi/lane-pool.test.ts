/**
 * The engine worker threads of a sweep or compare: started once per command and handed every read's engines
 * (src/multi/lane-pool.ts), not started anew for each read (the C allocator kept the arenas of the threads of
 * earlier reads, and the RSS between reads crept above the --memory budget). Needs the build (npm run build).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawEngineOptions } from '../../src/cli/options.js';
import { TraceError } from '../../src/errors.js';
import { cachedLoader } from '../../src/multi/config.js';
import { LanePool, laneThreadsAlive, laneThreadsStarted } from '../../src/multi/lane-pool.js';
import { runMulti } from '../../src/multi/run-multi.js';
import { laneWorkerPath, runShared } from '../../src/multi/shared.js';
import { runSweep } from '../../src/multi/sweep.js';
import { planSweep } from '../../src/multi/sweep-config.js';
import { loadTopology } from '../../src/topology/load.js';

const load = cachedLoader((a) => loadTopology(a));
const BASE: RawEngineOptions = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };

/** A deterministic trace of CXL pages with a small hot set (as test/multi/sweep.test.ts), `extra` lines appended. */
function trace(records: number, extra = ''): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-pool-'));
  let text = 'pfn,nid,src,time\n';
  let x = 4242;
  for (let i = 0; i < records; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const pfn = 0x200000 + (x % 4 !== 0 ? x % 64 : x % 4096);
    text += `0x${pfn.toString(16)},${(x >> 8) % 2},${(x >> 9) % 2 === 0 ? 'hwhints' : 'pgtscan'},${1000 + Math.floor(i / 3)}\n`;
  }
  const f = path.join(dir, 't.csv');
  fs.writeFileSync(f, text + extra);
  return f;
}

describe('engine worker threads of a multi-read sweep', () => {
  const inputs = [{ name: trace(3000) }];
  // 12 configurations.
  const plan = planSweep({ ...BASE, window: '100,1000', threshold: '2,3,4', period: '100,1000' }, load);
  // More records than the broadcast ring holds (4 x 65536): the parsing thread must wait for slots to be freed.
  const big = trace(300000);

  it('starts as many threads as the sweep uses, not threads x reads, and ends them when the sweep returns', async () => {
    expect(fs.existsSync(laneWorkerPath()), `${laneWorkerPath()} missing: run npm run build`).toBe(true);
    const once = await runMulti(plan.configs, { inputs, parser: 'auto' });
    const before = laneThreadsStarted();
    // Two threads, at most 4 engines a read: three reads of 4 configurations.
    const r = await runSweep(plan.configs, { inputs, parser: 'auto' }, 2, 4);
    expect(r.groups).toEqual([4, 4, 4]);
    expect(laneThreadsStarted() - before).toBe(2);
    expect(laneThreadsAlive()).toBe(0);
    // Engines of a read are new engines: the same results as one read in process.
    expect(r.results).toEqual(once.results);
  });

  it('ends its threads when a read fails (a bad record), with the same TraceError', async () => {
    const bad = trace(3000, '0x200000,0,hwhints,12x\n');
    const err = await runSweep(plan.configs, { inputs: [{ name: bad }], parser: 'auto' }, 2, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err).toMatchObject({ file: bad, line: 3002, column: 4, field: 'time', text: '12x', exitCode: 2 });
    expect(laneThreadsAlive()).toBe(0);
  });

  it('reports the error of a thread whose engine failed while the other waits for batches, and ends both', async () => {
    // This thread waits for the failed thread's slot and sees the failure.
    const [a, b, c, d] = plan.configs;
    // The second thread's first configuration names no engine: its LaneSet throws before it reads a batch.
    const bad = { ...c!, settings: { ...c!.settings, engine: 'none' as never } };
    const err = await runSweep([a!, b!, bad, d!], { inputs: [{ name: big }], parser: 'auto' }, 2, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // The worker's own error, not this thread's 'a worker failed'.
    expect((err as Error).message).toMatch(/take_interval_accesses/);
    expect(laneThreadsAlive()).toBe(0);
  });

  it('stops waiting for a thread that died as it started, and reports its error', async () => {
    const dies = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-pool-')), 'dies.cjs');
    fs.writeFileSync(dies, "throw new Error('lane thread died as it started');\n");
    const pool = new LanePool(dies);
    const err = await runShared(plan.configs.slice(0, 4), { inputs: [{ name: big }], parser: 'auto' }, 2, 0, pool).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('lane thread died as it started');
    expect(pool.failure()).toBe(err);
    expect(laneThreadsAlive()).toBe(0);
  });

  it('ends its threads when the run is stopped (Ctrl-C) in a later read', async () => {
    let reads = 0;
    const r = await runSweep(plan.configs, { inputs, parser: 'auto', shouldStop: () => reads > 1 }, 2, {
      first: 4,
      start: () => void reads++,
      next: () => 4,
    });
    expect(r.interrupted).toBe(true);
    expect(r.groups).toEqual([4, 4]);
    expect(laneThreadsAlive()).toBe(0);
  });
});
