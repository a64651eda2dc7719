/**
 * The fast rfc-v1 engine against the slow reference model (rfc-v1-reference.ts) on seeded random traces
 * over random topologies: budgets and watermarks, nonlru and device ranges, pfns in no range, pfns above
 * 2^32, NUMA_NO_NODE and nids without a daemon, a CPU node without memory, gaps in node ids, --demotion,
 * both variants, small and default hash orders, one record at a time, in batches and mixed. Counters, summary,
 * wasted promotions and the full event sequence (with tracked_since) must be identical; and the same without wasted
 * promotions kept (RfcV1Config.analysis_metrics), but for those.
 */
import { describe, expect, it } from 'vitest';
import { RFC_V1_DEFAULTS, type RfcV1Config } from '../../src/engine/config.js';
import { RECORD_LAYOUT, RfcV1Engine, type RfcVariant } from '../../src/engine/rfc-v1.js';
import type { PfnRange, Topology } from '../../src/engine/topology.js';
import { hash_64 } from '../../src/engine/hash.js';
import { OUTCOMES } from '../../src/engine/types.js';
import { node } from './helpers.js';
import { RfcV1Reference } from './rfc-v1-reference.js';
import { prng } from '../prng.js';


const BIG = 2 ** 40; // a slow tier far above 2^32

/** A random topology: DRAM nodes with CPUs, slow nodes (some ranges nonlru/device), optional budgets. */
function randomTopology(r: () => number): { topo: Topology; pfns: Array<[number, number]> } {
  const budget = () => (r() < 0.6 ? { free_pages: Math.floor(r() * 30), high_wmark_pages: Math.floor(r() * 4) } : {});
  const nodes = [];
  const spans: Array<[number, number]> = [];
  let next = Math.floor(r() * 3) * 512;
  const range = (size: number, kind: PfnRange['kind'] = 'lru'): PfnRange => {
    const start = next;
    next += size + (r() < 0.5 ? Math.floor(r() * 300) : 0); // gaps: pfns in no range
    spans.push([start, size]);
    return { start, end: start + size, kind };
  };
  nodes.push(node(0, { cpus: [0], pfn_ranges: [range(300)], ...budget() }));
  if (r() < 0.6) nodes.push(node(1, { cpus: [1], pfn_ranges: [range(200)], ...budget() }));
  else if (r() < 0.5) nodes.push(node(1, { cpus: [1] })); // daemon, no memory: migrations to it fail
  const slowId = r() < 0.5 ? 2 : 5;
  const slow: PfnRange[] = [range(400)];
  if (r() < 0.5) slow.push(range(50, 'nonlru'));
  if (r() < 0.5) slow.push(range(50, 'device'));
  if (r() < 0.5) slow.push(range(300));
  nodes.push(node(slowId, { adistance: 2880, pfn_ranges: slow, ...budget() }));
  if (r() < 0.4) {
    // A second slow node far above 2^32 (a separate page-state region).
    // Half the time 2 TiB of 4 KiB pages: too large for dense page state, so the hashed page state runs.
    const start = BIG + Math.floor(r() * 1e6);
    const size = r() < 0.5 ? 2 ** 29 : 500;
    spans.push([start, 500], [start, size]);
    nodes.push(node(7, { adistance: r() < 0.5 ? 2880 : 4000, pfn_ranges: [{ start, end: start + size, kind: 'lru' }], ...budget() }));
  }
  if (r() < 0.3) {
    // A top-tier range with a nonlru part.
    nodes[0] = { ...nodes[0]!, pfn_ranges: [...nodes[0]!.pfn_ranges, range(40, 'nonlru')] };
  }
  spans.push([next, 200]); // beyond every range
  return { topo: { name: 'random', nodes: nodes.sort((a, b) => a.id - b.id) }, pfns: spans };
}

type Rec = [number, number, number, number];

function randomTrace(r: () => number, spans: Array<[number, number]>, n: number): Rec[] {
  const out: Rec[] = [];
  let t = Math.floor(r() * 1e6);
  const hotSpan = spans[Math.floor(r() * spans.length)]!;
  for (let i = 0; i < n; i++) {
    const u = r();
    if (u < 0.01) t += Math.floor(r() * 20000); // idle gap over many passes
    else if (u < 0.5) t += Math.floor(r() * 4);
    const time = r() < 0.05 ? Math.max(0, t - Math.floor(r() * 2000)) : t; // out of order
    const [start, size] = r() < 0.4 ? hotSpan : spans[Math.floor(r() * spans.length)]!;
    const pfn = start + Math.floor(r() * (r() < 0.5 ? Math.min(size, 40) : size));
    const nid = r() < 0.15 ? -1 : Math.floor(r() * 9) - (r() < 0.05 ? 3 : 0);
    const src = r() < 0.1 ? 5 : Math.floor(r() * 2);
    out.push([pfn, nid, src, time]);
  }
  return out;
}

/**
 * The fast engine. With `slice`, passes stop every `slice` records walked (RfcV1Engine.sliceRecords) and are
 * resumed only after the next batch or record was given (it waits in the queue), as a driver that turns the event
 * loop between slices does; counters are read while a pass is part way.
 */
function fast(cfg: RfcV1Config, variant: RfcVariant, trace: Rec[], batch: number, slice = Infinity, observe: boolean | 'any-order' | 'bulk' = true) {
  // Made with wasted promotions kept (--analysis, compare, sweep) and without (a plain replay: a promoted page counts
  // as accessed at once): everything but the wasted promotions must be the same.
  const kept = fastOnce({ ...cfg, analysis_metrics: true }, variant, trace, batch, slice, observe);
  const { wasted, ...plain } = fastOnce({ ...cfg, analysis_metrics: false }, variant, trace, batch, slice, observe);
  const { wasted: keptWasted, ...keptRest } = kept;
  expect(plain).toEqual(keptRest);
  expect(wasted).toBeNull();
  if (keptWasted === null) throw new Error('no wasted promotions from an engine that keeps them');
  return { ...keptRest, wasted: keptWasted };
}

function fastOnce(cfg: RfcV1Config, variant: RfcVariant, trace: Rec[], batch: number, slice: number, observe: boolean | 'any-order' | 'bulk') {
  const e = new RfcV1Engine(cfg, variant);
  e.sliceRecords = slice;
  let stops = 0;
  const settle = () => {
    if (!e.suspended) return;
    e.counters(); // a read while the pass is part way changes nothing
    do stops++;
    while (!e.resume());
  };
  const events: string[] = [];
  /** 'bulk': events in any order, failed ones of a lazy pass in bulk (by time, node: their count), the rest as events. */
  const failed = new Map<string, number>();
  if (observe !== false) {
    e.observer = {
      anyOrder: observe === 'any-order' || observe === 'bulk', // the engine may then give a pass's events in slab order
      examined: (time, n, pfn, from, to, o, since) => {
        if (observe === 'bulk' && OUTCOMES[o] === 'failed') failed.set(`${time},${n}`, (failed.get(`${time},${n}`) ?? 0) + 1);
        else events.push(`${time},${n},${pfn},${from},${to},${OUTCOMES[o]},${since}`);
      },
      ...(observe === 'bulk' ? { examinedFailed: (time: number, n: number, count: number) => failed.set(`${time},${n}`, (failed.get(`${time},${n}`) ?? 0) + count) } : {}),
    };
  }
  if (batch <= 1)
    for (const [p, n, s, t] of trace) {
      e.record_access(p, n, s, t);
      if (e.suspended && (p & 1) === 0) settle(); // sometimes more records queue first
    }
  else {
    // Batches, every third one given record by record (record_access() buffers; the next batch comes after).
    for (let i = 0, k = 0; i < trace.length; i += batch, k++) {
      const part = trace.slice(i, i + batch);
      const col = (j: number) => part.map((x) => x[j]!);
      if (k % 3 === 2) for (const [p, n, s, t] of part) e.record_access(p, n, s, t);
      else e.record_batch(Float64Array.from(col(0)), Int32Array.from(col(1)), Int32Array.from(col(2)), Float64Array.from(col(3)), part.length);
      if (k % 2 === 0) settle();
    }
  }
  e.finish();
  settle();
  if (e.suspended) throw new Error('still part way');
  expect(bucketFaults(e)).toEqual([]);
  const counters = Object.fromEntries(e.counters().map((c) => [c.name.replace(/^kpromoted_|^kpromo_/, ''), c.value]));
  return {
    counters,
    events,
    failed,
    summary: e.summary(),
    wasted: cfg.analysis_metrics === true ? e.wasted_promotions() : null,
    stops,
    bySlab: e.passesBySlab,
    interleaved: e.passesInterleaved,
    lazy: e.passesLazy,
    slots: e.slotsEnabled,
    slotsIn: e.slotsIn,
  };
}

/**
 * What is wrong with the engine's hash table at rest (no pass part way; lazy passes keep no chains): each bucket is in
 * the occupied set exactly when its head is a record, its chain holds the records whose pfn hashes to it (and its
 * length beside the head, with analysis metrics), and the chains hold every live record.
 */
function bucketFaults(e: RfcV1Engine): string[] {
  const x = e as unknown as {
    lazy: boolean;
    buckets: Int32Array;
    bs: number;
    order: number;
    occupied: { next(from: number): number };
    slab: Float64Array;
    slabI: Int32Array;
    tracked: number;
  };
  if (x.lazy) return [];
  const faults: string[] = [];
  const occupied = new Set<number>();
  for (let b = x.occupied.next(0); b >= 0; b = x.occupied.next(b + 1)) occupied.add(b);
  let records = 0;
  for (let b = 0; b < 1 << x.order; b++) {
    const head = x.buckets[x.bs * b]!;
    if (occupied.has(b) !== (head !== -1)) faults.push(`bucket ${b}: head ${head}, occupied ${occupied.has(b)}`);
    let n = 0;
    const { STRIDE, ISTRIDE, F_PFN, I_NEXT } = RECORD_LAYOUT;
    for (let slot = head; slot >= 0 && n <= x.tracked; slot = x.slabI[slot * ISTRIDE + I_NEXT]!, n++) {
      if (hash_64(x.slab[slot * STRIDE + F_PFN]!, x.order) !== b) faults.push(`bucket ${b}: slot ${slot} hashes elsewhere`);
    }
    if (x.bs === 2 && x.buckets[2 * b + 1] !== n) faults.push(`bucket ${b}: length ${x.buckets[2 * b + 1]}, chain ${n}`);
    records += n;
  }
  if (records !== x.tracked) faults.push(`${records} records in the chains, ${x.tracked} tracked`);
  return faults.slice(0, 5);
}

function reference(cfg: RfcV1Config, variant: RfcVariant, trace: Rec[]) {
  const m = new RfcV1Reference(cfg, variant);
  for (const [p, n, s, t] of trace) m.record_access(p, n, s, t);
  m.finish();
  const events = m.events.map((e) => `${e.time},${e.node},${e.pfn},${e.from},${e.to},${e.outcome},${e.tracked_since}`);
  return { counters: Object.fromEntries(m.counters), events, summary: m.summary(), wasted: m.wasted() };
}

/** The seeded case of `seed`: topology, variant, tunables and a 4000-record trace (and the generator, to go on drawing). */
function seededCase(seed: number) {
  const r = prng(seed * 2654435761);
  const { topo, pfns } = randomTopology(r);
  const variant: RfcVariant = seed % 2 === 0 ? 'rfc-v1-fixed' : 'rfc-v1';
  const cfg: RfcV1Config = {
    ...RFC_V1_DEFAULTS,
    topology: topo,
    hash_order: seed % 3 === 0 ? 16 : 1 + (seed % 5),
    threshold: 1 + (seed % 3),
    default_node: seed % 4 === 0 ? 5 : 1,
    window_ms: seed % 5 === 0 ? 0 : 5000,
    demotion: seed % 3 !== 1,
  };
  return { r, topo, pfns, variant, cfg, trace: randomTrace(r, pfns, 4000) };
}

describe('rfc-v1 engine = reference model on seeded random traces', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const { r, variant, cfg, trace } = seededCase(seed);
      const want = reference(cfg, variant, trace);
      const got = fast(cfg, variant, trace, seed % 2 === 0 ? 1 : 1 + Math.floor(r() * 700));
      expect(got.counters).toEqual(want.counters);
      expect(got.summary).toEqual(want.summary);
      expect(got.wasted).toBe(want.wasted);
      expect(got.events.length).toBe(want.events.length);
      expect(got.events).toEqual(want.events);
      // The case exercised something: some records were examined.
      expect(want.events.length).toBeGreaterThan(0);
    });
  }
});

describe('passes cut in slices (sliceRecords, resume) give the same outcome as whole passes', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const { r, variant, cfg, trace } = seededCase(seed);
      const want = reference(cfg, variant, trace);
      const got = fast(cfg, variant, trace, seed % 2 === 0 ? 1 : 1 + Math.floor(r() * 700), 1 + (seed % 4));
      expect(got.stops).toBeGreaterThan(0); // passes did stop part way
      expect(got.counters).toEqual(want.counters);
      expect(got.summary).toEqual(want.summary);
      expect(got.wasted).toBe(want.wasted);
      expect(got.events).toEqual(want.events);
    });
  }
});

describe('without an observer (passes may walk the slab in order, the chains interleaved, or lazily) the counters are the same', () => {
  let bySlab = 0;
  let interleaved = 0;
  let lazy = 0;
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, () => {
      const r = prng(seed * 2654435761);
      const { topo, pfns } = randomTopology(r);
      const variant: RfcVariant = seed % 2 === 0 ? 'rfc-v1-fixed' : 'rfc-v1';
      // No budgets and no --demotion on half the seeds: the cases where a pass may walk the slab.
      const plain = seed % 2 === 1;
      const topology = plain ? { ...topo, nodes: topo.nodes.map((n) => ({ ...n, free_pages: null, high_wmark_pages: 0 })) } : topo;
      const cfg: RfcV1Config = {
        ...RFC_V1_DEFAULTS,
        topology,
        hash_order: seed % 3 === 0 ? 16 : 1 + (seed % 5),
        threshold: 1 + (seed % 3),
        default_node: plain ? 0 : seed % 4 === 0 ? 5 : 1,
        window_ms: seed % 5 === 0 ? 0 : 5000,
        demotion: !plain && seed % 3 !== 1,
      };
      // Plain seeds: every record's hot_node is node 0 (a daemon with memory), so every pass examines every record.
      const trace = randomTrace(r, pfns, 4000).map(([p, n, s, t]): Rec => [p, plain ? (n < 0 ? -1 : 0) : n, s, t]);
      const want = reference(cfg, variant, trace);
      const got = fast(cfg, variant, trace, seed % 4 === 1 ? 1 : 1 + Math.floor(r() * 700), seed % 3 === 0 ? 2 : Infinity, false);
      bySlab += got.bySlab;
      interleaved += got.interleaved;
      lazy += got.lazy;
      expect(got.counters).toEqual(want.counters);
      expect(got.summary).toEqual(want.summary);
      expect(got.wasted).toBe(want.wasted);
      // An observer that takes events in any order gets the same events, perhaps in another order within a pass.
      const any = fast(cfg, variant, trace, 1 + (seed % 300), Infinity, 'any-order');
      bySlab += any.bySlab;
      interleaved += any.interleaved;
      expect(any.counters).toEqual(want.counters);
      expect([...any.events].sort()).toEqual([...want.events].sort());
      // One that takes failed records in bulk (lazy passes): the same events, the failed ones counted by pass and node.
      const bulk = fast(cfg, variant, trace, 1 + (seed % 200), seed % 2 === 0 ? 3 : Infinity, 'bulk');
      lazy += bulk.lazy;
      expect(bulk.counters).toEqual(want.counters);
      expect(bulk.summary).toEqual(want.summary);
      const wantFailed = new Map<string, number>();
      for (const ev of want.events) {
        const [time, n, , , , outcome] = ev.split(',');
        if (outcome === 'failed') wantFailed.set(`${time},${n}`, (wantFailed.get(`${time},${n}`) ?? 0) + 1);
      }
      expect([...bulk.failed].sort()).toEqual([...wantFailed].sort());
      expect([...bulk.events].sort()).toEqual(want.events.filter((ev) => ev.split(',')[5] !== 'failed').sort());
    });
  }
  it('some passes walked the slab', () => expect(bySlab).toBeGreaterThan(0));
  // Budgets that ran out, no --demotion: the order of a pass cannot show, and the chains are walked interleaved.
  it('some passes walked the chains interleaved', () => expect(interleaved).toBeGreaterThan(0));
  // The same, with every daemon node top tier: lazy passes.
  it('some passes were lazy', () => expect(lazy).toBeGreaterThan(0));
});

describe('the differential cases reach every path', () => {
  it('promotions, failures, drops of each kind, demotions, ping-pong and wasted promotions occur', () => {
    const total: Record<string, number> = {};
    const outcomes = new Set<string>();
    const slots = new Set<boolean>();
    for (let seed = 1; seed <= 40; seed++) {
      const { variant, cfg, trace } = seededCase(seed);
      const got = fast(cfg, variant, trace, 1);
      // Tracked pages' records found by chain walk (few live records per bucket) and by the slot column (many).
      slots.add(got.slots);
      for (const [k, v] of Object.entries(got.counters)) total[k] = (total[k] ?? 0) + v;
      total.wasted = (total.wasted ?? 0) + got.wasted;
      for (const e of got.events) outcomes.add(e.split(',')[5]!);
    }
    for (const k of ['record_toptier', 'mig_promoted', 'mig_cold_old', 'mig_cold_not_accessed', 'pgdemote_kswapd', 'pingpong_promotions', 'wasted']) {
      expect(total[k], k).toBeGreaterThan(0);
    }
    expect([...outcomes].sort()).toEqual(['dropped_cold_old', 'dropped_not_accessed', 'failed', 'promoted']);
    expect([...slots].sort()).toEqual([false, true]);
  });
});

describe('record slots kept once chain walks get long (PageState.enableSlots())', () => {
  // hash_order 2: 4 buckets. Period 1 tracks 102 pages, 2 of them for a node without a daemon (never examined, so the
  // pass walks the buckets and the slab keeps its slots); the pass frees the other 100 (rfc-v1-fixed: one access is
  // below the threshold), marking their slots free. Period 2 tracks 60 of them again, in freed slots (last freed
  // first), so 40 freed slots still hold records of pages now tracked elsewhere. Then every live page is looked up 20
  // times, oldest first (deep in its chain of about 15): past a window of walks of more than 4 records a lookup, the
  // slots are filled from the slab, and the later lookups read them.
  const topo: Topology = {
    name: 't',
    nodes: [
      node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 4096, kind: 'lru' }] }),
      node(2, { adistance: 2880, pfn_ranges: [{ start: 4096, end: 8192, kind: 'lru' }] }),
    ],
  };
  const cfg: RfcV1Config = { ...RFC_V1_DEFAULTS, topology: topo, hash_order: 2 };
  const t0 = 4_294_892_296;
  const trace: Rec[] = [];
  const pages = Array.from({ length: 102 }, (_, i) => 4096 + 37 * i);
  for (let i = 0; i < pages.length; i++) trace.push([pages[i]!, i < 2 ? 2 : 0, 0, t0]);
  const again = pages.filter((_, i) => i >= 2 && i % 5 !== 0).slice(0, 60);
  for (const p of again) trace.push([p, 0, 1, t0 + 300]);
  for (let k = 0; k < 20; k++) for (const p of [pages[0]!, pages[1]!, ...again]) trace.push([p, 0, 0, t0 + 301]);
  for (const batch of [1, 7]) {
    it(`the same counters and events as the reference model (batches of ${batch})`, () => {
      const want = reference(cfg, 'rfc-v1-fixed', trace);
      const got = fast(cfg, 'rfc-v1-fixed', trace, batch);
      expect(got.slots).toBe(true);
      expect(got.counters).toEqual(want.counters);
      expect(got.events).toEqual(want.events);
      expect(got.summary).toEqual(want.summary);
      // Every look-up found its record: 20 accesses to each of the 62 live pages counted as existing records.
      expect(want.counters['record_exists']).toBe(20 * 62);
      expect(want.counters['mig_promoted']).toBe(62); // the 2 never examined in period 1 are looked up with node 0 now
    });
  }
});

/**
 * A case for the slot chains: a 2^22-page slow range (dense page state, tracked pages sparse in it), 4-16 buckets, and
 * periods of hundreds of scattered pages accessed in shuffled rounds (lookups deep in long chains), some of them again
 * later; budgets on the DRAM nodes on two seeds in three (migrations fail: lazy passes), none on the others (passes
 * walk the slab, or the chains interleaved when some records are never examined: hot node 2 has no daemon), and
 * --demotion on some (ordered passes).
 */
function chainsCase(seed: number) {
  const r = prng(seed * 40503 + 17);
  const budgeted = seed % 3 !== 0;
  const blind = seed % 2 === 1; // some accesses by node 2, which has no daemon
  const budget = () => (budgeted && r() < 0.8 ? { free_pages: Math.floor(r() * 200), high_wmark_pages: Math.floor(r() * 4) } : {});
  const slowStart = 8192;
  const slowPages = 2 ** 22 + 4096;
  const topo: Topology = {
    name: 'chains',
    nodes: [
      node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 4096, kind: 'lru' }], ...budget() }),
      node(1, { cpus: [1], pfn_ranges: [{ start: 4096, end: 8192, kind: 'lru' }], ...budget() }),
      node(2, { adistance: 2880, pfn_ranges: [{ start: slowStart, end: slowStart + slowPages, kind: 'lru' }] }),
    ],
  };
  const variant: RfcVariant = seed % 2 === 0 ? 'rfc-v1-fixed' : 'rfc-v1';
  const cfg: RfcV1Config = {
    ...RFC_V1_DEFAULTS,
    topology: topo,
    hash_order: 2 + (seed % 3),
    threshold: 1 + (seed % 3),
    demotion: seed % 4 === 0,
  };
  const trace: Rec[] = [];
  const seen: number[] = [];
  let t = 4_294_892_296;
  for (let period = 0; period < 6; period++) {
    const fresh = Array.from({ length: 200 + Math.floor(r() * 600) }, () => slowStart + Math.floor(r() * slowPages));
    const old = seen.filter(() => r() < 0.2);
    const pages = [...fresh, ...old];
    const rounds = 1 + Math.floor(r() * 3);
    for (let k = 0; k < rounds; k++) {
      for (let i = pages.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [pages[i], pages[j]] = [pages[j]!, pages[i]!];
      }
      for (const p of pages) {
        trace.push([p, r() < 0.1 ? -1 : blind && r() < 0.03 ? 2 : r() < 0.7 ? 0 : 1, Math.floor(r() * 2), t]); // node 2: no daemon
        if (r() < 0.3) trace.push([Math.floor(r() * 8192), 0, 0, t]); // a DRAM access now and then
        if (r() < 0.01) t += 1;
      }
    }
    seen.push(...fresh);
    t += 100 + Math.floor(r() * 600); // past a pass or a few
  }
  return { r, variant, cfg, trace };
}

describe('slots kept in chains over a large, sparsely tracked slow tier: the same as the reference model', () => {
  // Records are freed by passes (whole or sliced, walking the buckets, interleaved, the slab or lazily) and made again
  // in freed slots, and looked up through the chains.
  const used = new Set<string | null>();
  const walks = { lazy: 0, bySlab: 0, interleaved: 0, ordered: 0 };
  for (let seed = 1; seed <= 24; seed++) {
    it(`seed ${seed}`, () => {
      const { r, variant, cfg, trace } = chainsCase(seed);
      const want = reference(cfg, variant, trace);
      const batch = seed % 2 === 0 ? 1 : 1 + Math.floor(r() * 700);
      for (const [slice, observe] of [[Infinity, true], [1 + (seed % 4), true], [Infinity, false], [Infinity, 'bulk']] as const) {
        const got = fast(cfg, variant, trace, batch, slice, observe);
        used.add(got.slotsIn);
        if (got.slotsIn === 'chains') {
          walks.lazy += got.lazy;
          walks.bySlab += got.bySlab;
          walks.interleaved += got.interleaved;
          if (observe === true) walks.ordered++;
        }
        expect(got.counters, `slice ${slice}, observe ${observe}`).toEqual(want.counters);
        expect(got.summary).toEqual(want.summary);
        expect(got.wasted).toBe(want.wasted);
        if (observe === true) expect(got.events).toEqual(want.events);
      }
    });
  }
  it('chains were used, and nothing else kept slots', () => expect([...used].filter((x) => x !== null)).toEqual(['chains']));
  it('passes of every kind ran with chains', () => {
    expect(walks.lazy).toBeGreaterThan(0);
    expect(walks.interleaved).toBeGreaterThan(0);
    expect(walks.bySlab).toBeGreaterThan(0);
    expect(walks.ordered).toBeGreaterThan(0);
  });

  it('a pass that walks the slab frees every record from the chains, and later records are found again', () => {
    // Period 1: 600 scattered pages, all once, then all again twice (looked up deep in 4 chains: after a window of 1024
    // long walks the slots go to chains), then a pass that walks the slab in order (no observer, no budget, no kswapd)
    // and promotes them all. Period 2: 600 other pages, twice, in the same slots. Period 3: 200 of period 2's pfns'
    // neighbours, three rounds.
    const topo: Topology = {
      name: 'big-sparse',
      nodes: [
        node(0, { cpus: [0], pfn_ranges: [{ start: 0, end: 4096, kind: 'lru' }] }),
        node(2, { adistance: 2880, pfn_ranges: [{ start: 4096, end: 4096 + 2 ** 22, kind: 'lru' }] }),
      ],
    };
    const cfg: RfcV1Config = { ...RFC_V1_DEFAULTS, topology: topo, hash_order: 2 };
    const t0 = 4_294_892_296;
    const trace: Rec[] = [];
    const scan = (pfns: number[], rounds: number, t: number) => {
      for (let k = 0; k < rounds; k++) for (const p of pfns) trace.push([p, 0, 0, t]);
    };
    scan(Array.from({ length: 600 }, (_, i) => 4096 + ((i * 2654435761) % 2 ** 22)), 3, t0);
    scan(Array.from({ length: 600 }, (_, i) => 4096 + ((i * 40503 + 7) % 2 ** 22)), 2, t0 + 300);
    scan(Array.from({ length: 200 }, (_, i) => 4096 + ((i * 40503 + 8) % 2 ** 22)), 3, t0 + 600);
    const want = reference(cfg, 'rfc-v1', trace);
    const got = fast(cfg, 'rfc-v1', trace, 64, Infinity, false);
    expect(got.slotsIn).toBe('chains');
    expect(got.bySlab).toBe(3);
    expect(got.counters).toEqual(want.counters);
    expect(got.summary).toEqual(want.summary);
    expect(want.counters['record_exists']).toBe(2 * 600 + 600 + 2 * 200);
    expect(want.counters['mig_promoted']).toBe(1400);
  });
});
