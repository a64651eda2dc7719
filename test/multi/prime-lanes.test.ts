/**
 * run-multi.ts primeLanes(): the V8 warm-up of compare and sweep lanes. It primes each engine class once per thread, in
 * the set-up of a lane that counts pages when there is one, and a run primed gives what an unprimed one gives.
 * (The tests of this file share one module instance: the run comes first, unprimed.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cachedLoader, engineSettings, type MultiConfig } from '../../src/multi/config.js';
import { boundsRoles, primeLanes, runMulti } from '../../src/multi/run-multi.js';
import { loadTopology } from '../../src/topology/load.js';
import { generate } from '../../src/gen/generate.js';
import { normalizeGenOptions } from '../../src/gen/options.js';
import type { RawEngineOptions } from '../../src/cli/options.js';

const load = cachedLoader((a) => loadTopology(a));

function config(label: string, raw: Partial<RawEngineOptions>): MultiConfig {
  const base: RawEngineOptions = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  return { label, settings: engineSettings({ ...base, ...raw }, load) };
}

function generated(): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-prime-lanes-')), 't.csv');
  generate(normalizeGenOptions({ pattern: 'zipf', records: 30000, pages: 3000, duration: 30, hz: 250, seed: 11 }), (chunk) => fs.appendFileSync(f, chunk));
  return f;
}

const withThread = (c: MultiConfig, parseThread: 'on' | 'off'): MultiConfig => ({ ...c, settings: { ...c.settings, parseThread } });

describe('primeLanes', () => {
  it('a compare primed while its parse thread starts gives the results of the same compare unprimed', async () => {
    const f = generated();
    const configs = [config('rfc', { period: '200' }), config('fixed', { engine: 'rfc-v1-fixed', period: '200' }), config('pghot', { engine: 'pghot', period: '50' })];
    const unprimed = await runMulti(configs.map((c) => withThread(c, 'off')), { inputs: [{ name: f }], parser: 'auto' });
    const primed = await runMulti(configs.map((c) => withThread(c, 'on')), { inputs: [{ name: f }], parser: 'auto' });
    // The threaded run primed both engine classes on this thread: nothing is left to prime.
    expect(primeLanes(configs, boundsRoles(configs))).toEqual([]);
    expect(unprimed.results.map((r) => r.metrics.promoted).every((p) => p !== null && p > 0)).toBe(true);
    expect(primed.results).toEqual(unprimed.results);
    expect(primed.read.records).toBe(30000);
  });

  it('primes each engine class once, in the set-up of the lane that counts pages when there is one', async () => {
    // A fresh module instance, so that nothing is primed yet on this thread.
    vi.resetModules();
    const fresh = await import('../../src/multi/run-multi.js');
    const configs = [config('fixed', { engine: 'rfc-v1-fixed' }), config('rfc', {}), config('pghot', { engine: 'pghot' }), config('rfc2', { window: '1000' })];
    expect(fresh.primeLanes(configs, [null, 'count', null, null])).toEqual([
      { config: 1, pageCounts: true },
      { config: 2, pageCounts: false },
    ]);
    expect(fresh.primeLanes(configs, [null, 'count', null, null])).toEqual([]);
    // Without a counting lane: the first of each class.
    vi.resetModules();
    const again = await import('../../src/multi/run-multi.js');
    expect(again.primeLanes(configs, [null, null, null, null])).toEqual([
      { config: 0, pageCounts: false },
      { config: 2, pageCounts: false },
    ]);
  });
});
