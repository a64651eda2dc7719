/** Issue 12 in compare and sweep: the bounds per configuration, one counter per topology, hand-derived. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedLoader, engineSettings, type MultiConfig } from '../../src/multi/config.js';
import { boundsRoles, runMulti } from '../../src/multi/run-multi.js';
import { canRunShared, runShared } from '../../src/multi/shared.js';
import { loadTopology } from '../../src/topology/load.js';
import type { RawEngineOptions } from '../../src/cli/options.js';

const TRACES = path.resolve(__dirname, '../../traces');
const load = cachedLoader((a) => loadTopology(a));

function config(label: string, raw: Partial<RawEngineOptions>, topology: string): MultiConfig {
  const base: RawEngineOptions = { topology, engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  return { label, settings: engineSettings({ ...base, ...raw }, load) };
}

// traces/budget-bucket-order: eight CXL pages (node 1 of its topology) accessed once each, then DRAM page 0x10.
// Its topology: node 0 free 4, high 1 -> C = 4 - 1 - 1 = 2. N = 9, T0 = 1, a_p = 1 for 8 pages:
// instant = (1 + 0) / 9, static = (1 + 1 + 1) / 9. rfc-v1 and pghot hit the fast tier once (0x10): share 1/9.
// Over 2s-cxl the same pfns 0x100000.. are node 1, DRAM: T0 = 9, instant 9/9, no budgets -> no static bound.
const own = path.join(TRACES, 'budget-bucket-order.topology.json');
const configs = [config('rfc', {}, own), config('pghot', { engine: 'pghot' }, own), config('2s', {}, '2s-cxl')];
const inputs = [{ name: path.join(TRACES, 'budget-bucket-order.csv') }];

/** The metrics of a configuration over the trace's own topology. */
function checkOwn(r: { metrics: Record<string, number | null> }): void {
  expect(r.metrics).toMatchObject({
    fast_tier_share: 1 / 9,
    instant_bound: 1 / 9,
    static_bound: 3 / 9,
    share_of_instant: 1,
    share_of_static: 1 / 3,
    share_of_bound: 1, // the tighter bound is the instant one
  });
}

function check(results: readonly { metrics: Record<string, number | null> }[]): void {
  for (const r of results.slice(0, 2)) checkOwn(r);
  expect(results[2]!.metrics).toMatchObject({
    fast_tier_share: 1,
    instant_bound: 1,
    static_bound: null,
    share_of_instant: 1,
    share_of_static: null,
    share_of_bound: 1,
  });
}

describe('bounds in compare and sweep', () => {
  it('one read, every configuration with the bounds of its own topology', async () => {
    const r = await runMulti(configs, { inputs, parser: 'auto' });
    check(r.results as never);
  });

  it.runIf(canRunShared({ inputs }))('the same from the lane workers of a shared read', async () => {
    const r = await runShared(configs, { inputs, parser: 'auto' }, 2);
    check(r.results as never);
  });

  it('one configuration computes the bounds of each topology: the first rfc-v1 one, else the first', () => {
    const pg = (label: string, topology: string) => config(label, { engine: 'pghot' }, topology);
    expect(boundsRoles(configs)).toEqual(['count', null, 'count']);
    expect(boundsRoles([pg('a', own), config('b', {}, own), pg('c', '2s-cxl'), pg('d', '2s-cxl')])).toEqual([null, 'count', 'counter', null]);
  });

  it.runIf(canRunShared({ inputs }))('a worker whose topology another worker counts gets that worker\'s bounds', async () => {
    // One configuration a worker: pghot's bounds come from the rfc-v1 worker's page counts, the second pghot's
    // and the third's from the first pghot's bounds counter.
    const pg = (label: string, topology: string) => config(label, { engine: 'pghot' }, topology);
    const split = [config('rfc', {}, own), pg('pghot', own), config('2s', {}, '2s-cxl')];
    check((await runShared(split, { inputs, parser: 'auto' }, 3)).results as never);
    const pghots = [pg('p1', own), pg('p2', own), pg('p3', own)];
    const shared = await runShared(pghots, { inputs, parser: 'auto' }, 3);
    const inProcess = await runMulti(pghots, { inputs, parser: 'auto' });
    expect(shared.results.map((r) => r.metrics)).toEqual(inProcess.results.map((r) => r.metrics));
    for (const r of shared.results) checkOwn(r as never);
  });
});
