import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawEngineOptions } from '../../src/cli/options.js';
import { KpromoError, TraceError } from '../../src/errors.js';
import { cachedLoader } from '../../src/multi/config.js';
import { runMulti } from '../../src/multi/run-multi.js';
import { runSweep, slices } from '../../src/multi/sweep.js';
import { laneWorkerPath } from '../../src/multi/shared.js';
import { planSweep } from '../../src/multi/sweep-config.js';
import { reviveError, serializeError } from '../../src/multi/worker-message.js';
import { loadTopology } from '../../src/topology/load.js';

const load = cachedLoader((a) => loadTopology(a));
const BASE: RawEngineOptions = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };

/** A deterministic trace of CXL pages with a small hot set, so tunables change the counters. */
function trace(records: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-sweep-'));
  let text = 'pfn,nid,src,time\n';
  let x = 12345;
  for (let i = 0; i < records; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const hot = x % 4 !== 0;
    const pfn = 0x200000 + (hot ? x % 64 : x % 4096);
    text += `0x${pfn.toString(16)},${(x >> 8) % 2},${(x >> 9) % 2 === 0 ? 'hwhints' : 'pgtscan'},${1000 + Math.floor(i / 3)}\n`;
  }
  const f = path.join(dir, 't.csv');
  fs.writeFileSync(f, text);
  return f;
}

describe('slices', () => {
  it('splits into contiguous near-equal parts, never empty ones', () => {
    expect(slices([1, 2, 3, 4, 5, 6, 7, 8, 9], 2)).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9]]);
    expect(slices([1, 2, 3], 5)).toEqual([[1], [2], [3]]);
    expect(slices([1, 2, 3, 4], 1)).toEqual([[1, 2, 3, 4]]);
  });
});

describe('planSweep', () => {
  it('builds one configuration per grid point with its effective tunables', () => {
    const p = planSweep({ ...BASE, window: '1000,2000', threshold: '2..3', period: '250' }, load);
    expect(p.swept).toEqual(['window', 'threshold']);
    expect(p.configs.map((c) => c.label)).toEqual([
      'window=1000 threshold=2', 'window=1000 threshold=3', 'window=2000 threshold=2', 'window=2000 threshold=3',
    ]);
    expect(p.params[3]).toEqual({ window: 2000, threshold: 3, period: 250, hash_order: 16, default_node: 1 });
    expect(p.configs[1]!.settings.rfc.period_ms).toBe(250);
  });

  it('labels a one-configuration sweep with the values that differ from the defaults, not "defaults"', () => {
    expect(planSweep({ ...BASE, window: '1' }, load).configs.map((c) => c.label)).toEqual(['window=1']);
    expect(planSweep({ ...BASE, window: '5000', threshold: '3' }, load).configs.map((c) => c.label)).toEqual(['threshold=3']);
    expect(planSweep({ ...BASE, window: '5000' }, load).configs.map((c) => c.label)).toEqual(['defaults']);
    expect(planSweep({ ...BASE }, load).configs.map((c) => c.label)).toEqual(['defaults']);
    // pghot's default window is 3000, 5000 when precise.
    expect(planSweep({ ...BASE, engine: 'pghot', window: '3000' }, load).configs[0]!.label).toBe('defaults');
    expect(planSweep({ ...BASE, engine: 'pghot', pghotPrecise: true, window: '3000' }, load).configs[0]!.label).toBe('window=3000');
  });

  it('names the configuration whose value the engine rejects, and refuses rfc-only tunables for pghot', () => {
    expect(() => planSweep({ ...BASE, engine: 'pghot', window: '1000,4000' }, load)).toThrow(
      'sweep configuration "window=4000": --window must be an integer in [1000, 3968] (vm.pghot_promote_freq_window_ms), got "4000"',
    );
    expect(() => planSweep({ ...BASE, hashOrder: '8,30' }, load)).toThrow('--hash-order must be an integer in [1, 24], got "30"');
    expect(() => planSweep({ ...BASE, engine: 'pghot', hashOrder: '8,10' }, load)).toThrow('hash-order is an rfc-v1 tunable');
  });
});

describe('runSweep', () => {
  const f = trace(3000);
  const inputs = [{ name: f }];

  it('runs a grid larger than its engine group in several reads, with the same results', async () => {
    const plan = planSweep({ ...BASE, threshold: '1..7' }, load);
    const swept = await runSweep(plan.configs, { inputs, parser: 'auto' }, 1, 3);
    const once = await runMulti(plan.configs, { inputs, parser: 'auto' });
    expect(swept.results).toEqual(once.results);
    expect(swept.read.records).toBe(3000);
    // The grid is not degenerate: thresholds give different promotions.
    expect(new Set(swept.results.map((r) => r.metrics.promoted)).size).toBeGreaterThan(2);
  });

  it('gives the same results with worker threads as in process (needs the build: npm run build)', async () => {
    expect(fs.existsSync(laneWorkerPath()), `${laneWorkerPath()} missing: run npm run build`).toBe(true);
    const plan = planSweep({ ...BASE, window: '100,1000', threshold: '2,3,4', period: '100,1000' }, load);
    const one = await runSweep(plan.configs, { inputs, parser: 'auto' }, 1);
    const three = await runSweep(plan.configs, { inputs, parser: 'auto' }, 3);
    expect(three.results).toEqual(one.results);
    expect(three.read.records).toBe(3000);
    // Two threads, groups of at most 5 engines: three reads of 4 configurations.
    const grouped = await runSweep(plan.configs, { inputs, parser: 'auto' }, 2, 5);
    expect(grouped.results).toEqual(one.results);
  });

  it('rethrows a worker trace error as the same TraceError', async () => {
    const bad = trace(10);
    fs.appendFileSync(bad, '0x200000,0,hwhints,12x\n');
    const plan = planSweep({ ...BASE, threshold: '2,3' }, load);
    const err = await runSweep(plan.configs, { inputs: [{ name: bad }], parser: 'auto' }, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err).toMatchObject({ file: bad, line: 12, column: 4, field: 'time', text: '12x', exitCode: 2 });
  });
});

describe('worker messages', () => {
  it('round-trips TraceError and KpromoError with message, code and exit code', () => {
    const t = new TraceError({ file: 'a.csv', line: 3, column: 2, field: 'nid', text: 'x' }, 'nid is not an integer');
    const back = reviveError(serializeError(t));
    expect(back).toBeInstanceOf(TraceError);
    expect(back.message).toBe(t.message);
    expect(back).toMatchObject({ code: t.code, exitCode: 2, line: 3, field: 'nid' });
    const k = reviveError(serializeError(new KpromoError('KPROMO_X', 'boom', 3)));
    expect(k).toBeInstanceOf(KpromoError);
    expect(k).toMatchObject({ code: 'KPROMO_X', message: 'boom', exitCode: 3 });
    const plain = reviveError(serializeError(new RangeError('bad')));
    expect(plain).not.toBeInstanceOf(KpromoError);
    expect(plain.message).toBe('bad');
  });
});
