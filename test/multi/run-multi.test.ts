import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceError } from '../../src/errors.js';
import { cachedLoader, engineSettings, type MultiConfig } from '../../src/multi/config.js';
import { runMulti } from '../../src/multi/run-multi.js';
import { runReplay } from '../../src/run/replay.js';
import { loadTopology } from '../../src/topology/load.js';
import { PghotEngine } from '../../src/engine/pghot.js';
import { memoryTiers } from '../../src/engine/topology.js';
import { OutcomeCode } from '../../src/engine/types.js';
import { generate } from '../../src/gen/generate.js';
import { normalizeGenOptions } from '../../src/gen/options.js';
import { readTraces } from '../../src/trace/read.js';
import type { RawEngineOptions } from '../../src/cli/options.js';

const TRACES = path.resolve(__dirname, '../../traces');
const load = cachedLoader((a) => loadTopology(a));

function config(label: string, raw: Partial<RawEngineOptions>, topology = '2s-cxl'): MultiConfig {
  const base: RawEngineOptions = { topology, engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  return { label, settings: engineSettings({ ...base, ...raw }, load) };
}

function file(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-multi-')), 't.csv');
  fs.writeFileSync(f, text);
  return f;
}

const SPEC_TRACE = path.join(TRACES, 'spec-worked.csv');

describe('runMulti', () => {
  it('gives the SPEC worked example metrics derived by hand (rfc-v1)', async () => {
    const r = await runMulti([config('rfc', {})], { inputs: [{ name: SPEC_TRACE }], parser: 'auto' });
    const m = r.results[0]!.metrics;
    // Promoted at 1250: 0x200004 (since 1006), 0x200000 (1000), 0x200002 (1002), 0x200003 (1003):
    // 244, 250, 248, 247 jiffies = 976, 1000, 992, 988 ms. Nearest rank: p50 = 2nd = 988, p90 = p99 = 1000.
    expect([m.latency_p50, m.latency_p90, m.latency_p99]).toEqual([988, 1000, 1000]);
    expect([m.promoted, m.candidates, m.dropped]).toEqual([4, 4, 1]);
    // 0x200000 is accessed again at 1300 after its promotion; the other three are not.
    expect(m.wasted).toBe(3);
    expect(m.wasted_ratio).toBe(3 / 4);
    expect(m.fast_tier_share).toBe(2 / 10); // record_toptier 2 of 10 accesses
    expect(m.tracked).toBe(0);
    // 2^16 buckets * (8 + 32) bytes + peak records (5) * 64 bytes.
    expect(m.kernel_memory).toBe(65536 * 40 + 5 * 64);
  });

  it('gives pghot what its counters and the probe can tell, n/a for the rest (SPEC example)', async () => {
    const r = await runMulti([config('p', { engine: 'pghot' })], { inputs: [{ name: SPEC_TRACE }], parser: 'auto' });
    const m = r.results[0]!.metrics;
    // pghot takes hwhints only here: 0x200001 turns READY at 1001, 0x200000 at 1300; both are promoted
    // (pgpromote_success 2) and never accessed again. Only 0x1000 (DRAM node 0) is a top-tier access.
    expect(m.promoted).toBe(2);
    expect(m.wasted).toBe(2);
    expect(m.fast_tier_share).toBe(1 / 10);
    expect([m.candidates, m.dropped, m.latency_p50, m.latency_p90, m.latency_p99, m.kernel_memory]).toEqual([null, null, null, null, null, null]);
  });

  it('pghot probe: a promoted page accessed again is a top-tier access and not wasted', async () => {
    // 0x200001 is READY at 1001 (2 hwhints in the window), promoted by kmigrated2 at 1025 (T0 + 25) to node 0;
    // then it and DRAM page 0x1000 are accessed: 2 of 4 accesses are top tier, nothing is wasted.
    const f = file('pfn,nid,src,time\n0x200001,0,hwhints,1000\n0x200001,0,hwhints,1001\n0x200001,0,hwhints,1100\n0x1000,1,hwhints,1101\n');
    const r = await runMulti([config('p', { engine: 'pghot' })], { inputs: [{ name: f }], parser: 'auto' });
    const m = r.results[0]!.metrics;
    expect(m.promoted).toBe(1);
    expect(m.fast_tier_share).toBe(2 / 4);
    expect(m.wasted).toBe(0);
    expect(m.wasted_ratio).toBe(0);
  });

  it('pghot probe: its placement copy agrees with PghotEngine.pfn_to_nid on a generated trace', async () => {
    const f = file('');
    const g = generate(normalizeGenOptions({ pattern: 'zipf', records: 20000, pages: 2000, duration: 20, hz: 250, seed: 5 }), (chunk) =>
      fs.appendFileSync(f, chunk),
    );
    expect(g.records).toBe(20000);
    const c = config('p', { engine: 'pghot', period: '50' });
    const [probe] = (await runMulti([c], { inputs: [{ name: f }], parser: 'auto' })).results;
    // Reference: ask the engine itself after every access, and follow promotions with a Set.
    const engine = new PghotEngine(c.settings.pghot);
    const unused = new Set<number>();
    engine.observer = { examined: (_t, _n, pfn, _f, _to, outcome) => void (outcome === OutcomeCode.Promoted && unused.add(pfn)) };
    const tiers = memoryTiers(c.settings.pghot.topology).nodes;
    let top = 0;
    await readTraces([{ name: f }], {
      record_access(pfn, nid, src, time) {
        engine.record_access(pfn, nid, src, time);
        const node = engine.pfn_to_nid(pfn);
        if (tiers.find((t) => t.id === node)?.toptier === true) {
          top++;
          unused.delete(pfn);
        }
      },
    });
    engine.finish();
    expect(probe!.metrics.promoted).toBeGreaterThan(10);
    expect(probe!.metrics.fast_tier_share).toBe(top / 20000);
    expect(probe!.metrics.wasted).toBe(unused.size);
  });

  it('gives every configuration the counters and summary of its own replay', async () => {
    const traces = ['spec-worked', 'budget-bucket-order', 'numa-no-node'];
    for (const t of traces) {
      const topo = path.join(TRACES, `${t}.topology.json`);
      const inputs = [{ name: path.join(TRACES, `${t}.csv`) }];
      const configs = [
        config('a', {}, topo),
        config('b', { engine: 'rfc-v1-fixed' }, topo),
        config('c', { window: '1000', threshold: '3', period: '250' }, topo),
        config('d', { engine: 'pghot' }, topo),
        config('e', { engine: 'pghot', pghotPrecise: true }, topo),
      ];
      const multi = await runMulti(configs, { inputs, parser: 'auto' });
      expect(multi.results.map((r) => r.label)).toEqual(['a', 'b', 'c', 'd', 'e']);
      for (const [i, c] of configs.entries()) {
        const single = await runReplay({ ...c.settings, inputs, parser: 'auto' });
        expect(multi.results[i]!.counters, `${t} ${c.label}`).toEqual(single.counters);
        expect(multi.results[i]!.summary, `${t} ${c.label}`).toEqual(single.summary);
        expect(multi.results[i]!.engine).toBe(c.settings.engine);
      }
    }
  });

  it('throws the trace error of a bad line, as a replay does', async () => {
    const f = file('pfn,nid,src,time\n0x200000,0,hwhints,1000\n0x200001,zero,hwhints,1001\n');
    const err = await runMulti([config('a', {}), config('b', { engine: 'pghot' })], { inputs: [{ name: f }], parser: 'auto' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceError);
    expect(err).toMatchObject({ file: f, line: 3, column: 2, field: 'nid', text: 'zero' });
  });

  it('stops without results when asked to', async () => {
    const r = await runMulti([config('a', {}), config('b', {})], { inputs: [{ name: SPEC_TRACE }], parser: 'auto', shouldStop: () => true });
    expect(r.interrupted).toBe(true);
    expect(r.results).toEqual([]);
  });
});
