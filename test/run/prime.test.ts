/**
 * run/prime.ts: the synthetic trace that warms V8 up while the parse thread starts takes the branches it is
 * there for, runs on every engine and preset, and a replay primed this way gives what an unprimed one gives.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS } from '../../src/engine/config.js';
import { hash_64 } from '../../src/engine/hash.js';
import { type EngineConfigs, type EngineName, type ObservableEngine } from '../../src/engine/registry.js';
import type { Topology } from '../../src/engine/topology.js';
import { primeEngine, PRIME_RECORDS, primesRun } from '../../src/run/prime.js';
import { runReplay, type ReplaySettings } from '../../src/run/replay.js';
import { PRESETS } from '../../src/topology/presets.js';

function configs(topology: Topology): EngineConfigs {
  return { rfc: { ...RFC_V1_DEFAULTS, topology }, pghot: { topology, hz: RFC_V1_DEFAULTS.hz, precise: false } };
}

/** The prime engine, kept by the setup hook. */
function primed(name: EngineName, topology: Topology): { engine: ObservableEngine; records: number } {
  let engine: ObservableEngine | null = null;
  const records = primeEngine(name, configs(topology), (e) => {
    engine = e;
  });
  return { engine: engine!, records };
}

describe('primeEngine', () => {
  it('rfc-v1 on 2s-cxl: new records past the first slab, records that exist, promotions, drops, passes cut in slices, ignored pfns', () => {
    const { engine, records } = primed('rfc-v1', PRESETS['2s-cxl']!);
    expect(records).toBe(PRIME_RECORDS);
    const c = Object.fromEntries(engine.counters().map((x) => [x.name, x.value]));
    expect(c.kpromoted_recorded_accesses).toBe(PRIME_RECORDS);
    expect(c.kpromoted_record_added).toBeGreaterThan(4096); // the engine's first slab holds 4096 records
    expect(c.kpromoted_record_exists).toBeGreaterThan(0);
    expect(c.kpromoted_record_toptier).toBeGreaterThan(0);
    expect(c.kpromoted_recorded_pgtscans).toBeGreaterThan(0);
    expect(c.kpromoted_mig_promoted).toBeGreaterThan(0);
    expect(c.kpromoted_mig_dropped).toBeGreaterThan(0);
    const s = engine.summary();
    expect(s.passes).toBeGreaterThanOrEqual(8);
    expect(s.ignored.find((i) => i.reason === 'no_range')!.accesses).toBeGreaterThan(0);
    // Passes were cut in slices and resumed: none is left part way.
    expect((engine as unknown as { suspended: boolean }).suspended).toBe(false);
    // The first pass walked the slab in order, over more live records than the first slab holds (it grew):
    // a replay's first such pass and first growth otherwise threw away the code compiled so far.
    const internals = engine as unknown as { passesBySlab: number; slab: Float64Array };
    expect(internals.passesBySlab).toBeGreaterThan(0);
    expect(internals.slab.length).toBeGreaterThan(4096 * 8);
  });

  for (const analysis_metrics of [false, true])
    it(`rfc-v1: buckets of several records, and tracked pages found behind the head of their chain (analysis metrics ${analysis_metrics ? 'kept' : 'off'})`, () => {
      // Without them V8 compiled kpromoted_lookup()'s chain walk with no feedback, and threw the replay's code away
      // at its first walk (--trace-deopt: "Insufficient type feedback for binary operation" in lookup()).
      const base = configs(PRESETS['2s-cxl']!);
      const cfg = { ...base, rfc: { ...base.rfc, analysis_metrics } };
      let behind = 0;
      let lookups = 0;
      let engine: ObservableEngine | null = null;
      primeEngine('rfc-v1', cfg, (e) => {
        engine = e;
        const internals = e as unknown as { lookup(pfn: number): number; buckets: Int32Array; bs: number };
        const lookup = internals.lookup.bind(e);
        internals.lookup = (pfn: number): number => {
          const slot = lookup(pfn);
          lookups++;
          if (internals.buckets[internals.bs * hash_64(pfn, cfg.rfc.hash_order)] !== slot) behind++;
          return slot;
        };
      });
      // The chain lengths are kept with the analysis metrics only (a bucket's length beside its head).
      const internals = engine as unknown as { longestChain: number; bs: number };
      expect(internals.bs).toBe(analysis_metrics ? 2 : 1);
      if (analysis_metrics) expect(internals.longestChain).toBeGreaterThanOrEqual(2);
      expect(lookups).toBeGreaterThan(1024); // a whole window of lookups: the walk-length check runs too
      expect(behind).toBeGreaterThan(0);
    });

  it('rfc-v1: in its first 1024 records, passes inside a batch whole and cut short, and a lookup behind a newer record', () => {
    // V8 compiles a function with the type feedback gathered so far. Code compiled before any of these had run (the
    // engine's functions get hot within the first few thousand records) was thrown away at a replay's first pass,
    // first pass cut at its budget, and first walk of a chain (--trace-deopt: "Insufficient type feedback").
    const cfg = configs(PRESETS['2s-cxl']!);
    let whole = 0;
    let cut = 0;
    let behind = 0;
    primeEngine('rfc-v1', cfg, (e) => {
      const internals = e as unknown as {
        record_batch: (...a: unknown[]) => void;
        lookup(pfn: number): number;
        buckets: Int32Array;
        bs: number;
        records: number;
        clock: { passes: number; suspended: boolean };
      };
      const batch = internals.record_batch;
      internals.record_batch = function (this: typeof internals, ...a: unknown[]): void {
        const early = this.records < 1024;
        const passes = this.clock.passes;
        const was = this.clock.suspended;
        batch.apply(this, a);
        if (!early || was) return;
        if (this.clock.suspended) cut++;
        else if (this.clock.passes > passes) whole++;
      };
      const lookup = internals.lookup.bind(e);
      internals.lookup = (pfn: number): number => {
        const slot = lookup(pfn);
        if (internals.records < 1024 && internals.buckets[internals.bs * hash_64(pfn, cfg.rfc.hash_order)] !== slot) behind++;
        return slot;
      };
    });
    expect(whole).toBeGreaterThan(0);
    expect(cut).toBeGreaterThan(0);
    expect(behind).toBeGreaterThan(0);
  });

  it('rfc-v1: its slab grows in its first 1024 records', () => {
    // V8 compiled recordSlow() before the slab first grew (the engine's first slab holds 4096 records): that code had no
    // feedback for the growth and was thrown away at a replay's first growth, 4096 records in (--trace-deopt).
    let grewAt = -1;
    primeEngine('rfc-v1', configs(PRESETS['2s-cxl']!), (e) => {
      const internals = e as unknown as { record_batch: (...a: unknown[]) => void; records: number; slabSlots: number };
      const batch = internals.record_batch;
      internals.record_batch = function (this: typeof internals, ...a: unknown[]): void {
        const slots = this.slabSlots;
        batch.apply(this, a);
        if (grewAt < 0 && this.slabSlots > slots) grewAt = this.records;
      };
    });
    expect(grewAt).toBeGreaterThan(0);
    expect(grewAt).toBeLessThanOrEqual(1024);
  });

  it('rfc-v1: batches that find records given one at a time still buffered, or a pass part way', () => {
    // As a replay's batches do (the engine's thread parses some blocks itself; batches arrive while a pass is cut in
    // slices). V8 threw the replay's compiled record_batch() away at the first of each otherwise.
    let calls = 0;
    let buffered = 0;
    let queued = 0;
    primeEngine('rfc-v1', configs(PRESETS['2s-cxl']!), (e) => {
      const internals = e as unknown as { record_batch: (...a: unknown[]) => void; buffered: number; clock: { suspended: boolean } };
      const batch = internals.record_batch;
      internals.record_batch = function (this: typeof internals, ...a: unknown[]): void {
        calls++;
        if (this.buffered > 0) buffered++;
        if (this.clock.suspended) queued++;
        batch.apply(this, a);
      };
    });
    expect(calls).toBeGreaterThan(0);
    expect(buffered).toBeGreaterThan(0);
    expect(queued).toBeGreaterThan(0);
  });

  it('rfc-v1: its first batch while a pass is part way comes after record_batch() ran a few batches', () => {
    // V8 gives a function a feedback vector only after it ran a while; record_batch() runs few operations a call since
    // its first phase is a function of its own (top-hits.ts). A batch that waited behind a pass at the opening's third
    // batch went unseen, and a replay's first such batch threw record_batch()'s compiled code away (--trace-deopt).
    let calls = 0;
    let firstQueued = -1;
    primeEngine('rfc-v1', configs(PRESETS['2s-cxl']!), (e) => {
      const internals = e as unknown as { record_batch: (...a: unknown[]) => void; clock: { suspended: boolean } };
      const batch = internals.record_batch;
      internals.record_batch = function (this: typeof internals, ...a: unknown[]): void {
        if (this.clock.suspended && firstQueued < 0) firstQueued = calls;
        calls++;
        batch.apply(this, a);
      };
    });
    expect(firstQueued).toBeGreaterThanOrEqual(5);
  });

  it('rfc-v1 counting pages: the first half of its records with the counts paused (as a block read pauses them), the rest counted', () => {
    // A block read hands page counting to its parse thread (page-tally.ts): the engine's first phase then takes
    // topHits(), which V8 otherwise compiled with no feedback (--trace-deopt: "Insufficient type feedback for call").
    const base = configs(PRESETS['2s-cxl']!);
    const cfg = { ...base, rfc: { ...base.rfc, page_counts: true } };
    let paused = 0;
    let counted = 0;
    let engine: ObservableEngine | null = null;
    primeEngine('rfc-v1', cfg, (e) => {
      engine = e;
      const internals = e as unknown as { record_batch: (...a: unknown[]) => void; countsPaused: boolean };
      const batch = internals.record_batch;
      internals.record_batch = function (this: typeof internals, ...a: unknown[]): void {
        if (this.countsPaused) paused++;
        else counted++;
        batch.apply(this, a);
      };
    });
    expect(paused).toBeGreaterThan(0);
    expect(counted).toBeGreaterThan(0);
    expect((engine as unknown as { countsPaused: boolean }).countsPaused).toBe(false);
  });

  it('runs on every engine and preset, and on a topology of one small node', () => {
    const tiny: Topology = {
      name: 'tiny',
      nodes: [{ id: 0, cpus: [0], adistance: 576, pfn_ranges: [{ start: 16, end: 20, kind: 'lru' }], free_pages: null, high_wmark_pages: 0 }],
    } as unknown as Topology;
    for (const topology of [...Object.values(PRESETS), tiny]) {
      for (const name of ['rfc-v1', 'rfc-v1-fixed', 'pghot'] as const) {
        const { engine, records } = primed(name, topology!);
        expect(records, `${name} ${topology!.name}`).toBe(PRIME_RECORDS);
        expect(engine.summary().records, `${name} ${topology!.name}`).toBe(PRIME_RECORDS);
      }
    }
  });

  it('a threaded replay, primed, gives the counters and summary of the same replay read on this thread', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-prime-'));
    try {
      const trace = path.join(dir, 't.csv');
      let text = 'pfn,nid,src,time\n';
      let seed = 7;
      for (let i = 0; i < 40_000; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        text += `${0x200000 + ((seed >>> 8) % 3000)},${(seed >>> 4) & 1},${(seed >>> 3) & 1 ? 'hwhints' : 'pgtscan'},${4294892296 + Math.floor(i / 8)}\n`;
      }
      fs.writeFileSync(trace, text);
      const settings = (parseThread: 'on' | 'off'): ReplaySettings => ({
        engine: 'rfc-v1',
        ...configs(PRESETS['2s-cxl']!),
        topologySource: '2s-cxl',
        inputs: [{ name: trace }],
        parser: 'auto',
        input: { kind: 'auto', nid: 'cpu', pageSize: 4096, events: null, perfFields: null, skipBad: false },
        parseThread,
      } as unknown as ReplaySettings);
      const threaded = await runReplay(settings('on'), { shouldStop: () => false });
      const inline = await runReplay(settings('off'), { shouldStop: () => false });
      expect(threaded.counters).toEqual(inline.counters);
      expect(threaded.summary).toEqual(inline.summary);
      expect(threaded.counters.find((c) => c.name === 'kpromoted_mig_promoted')!.value).toBeGreaterThan(0);
      // Read on this thread, primed first (replayPlan() does so for plain CSV files of 2-32 MiB) or not: the same.
      const before = primesRun();
      const primedInline = await runReplay(settings('off'), { shouldStop: () => false, plan: { threaded: false, prime: true } });
      expect(primesRun() - before).toBe(1);
      const unprimed = await runReplay(settings('off'), { shouldStop: () => false, plan: { threaded: false, prime: false } });
      expect(primesRun() - before).toBe(1);
      expect(primedInline.counters).toEqual(unprimed.counters);
      expect(primedInline.summary).toEqual(unprimed.summary);
      expect(unprimed.counters).toEqual(inline.counters);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
