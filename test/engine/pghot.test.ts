/**
 * The pghot engine on small hand-derived traces. Unless a test says otherwise: HZ 250, default mode,
 * window 3000 ms, threshold 2, target node 0, kmigrated every msecs_to_jiffies(100) = 25 jiffies,
 * passes at T0 + k * 25 (T0 = first record time), one final pass after the last record.
 * Topology: node 0 DRAM (cpus, pfn 0x0-0x100000), node 1 DRAM (cpus, 0x100000-0x200000), node 2 CXL
 * (adistance 2880, no cpus, 0x200000-0x400000, plus a non-LRU range 0x400000-0x400100): only node 2
 * is lower tier, so only kmigrated2 runs.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { PghotEngine } from '../../src/engine/pghot.js';
import type { PghotConfig } from '../../src/engine/pghot-config.js';
import type { NodeSpec, Topology } from '../../src/engine/topology.js';
import { OutcomeCode, type PassObserver } from '../../src/engine/types.js';

const CXL = 0x200000;

function node(id: number, over: Partial<NodeSpec>): NodeSpec {
  return { id, cpus: [], adistance: 576, pfn_ranges: [], free_pages: null, high_wmark_pages: 0, ...over };
}

function topo(budget0?: { free_pages: number; high_wmark_pages: number }): Topology {
  return {
    name: 'test',
    nodes: [
      node(0, {
        cpus: [0, 1],
        pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }],
        ...(budget0 ?? {}),
      }),
      node(1, { cpus: [2, 3], pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }] }),
      node(2, {
        adistance: 2880,
        pfn_ranges: [
          { start: 0x200000, end: 0x400000, kind: 'lru' },
          { start: 0x400000, end: 0x400100, kind: 'nonlru' },
        ],
      }),
    ],
  };
}

function engine(over: Partial<PghotConfig> = {}): PghotEngine {
  return new PghotEngine({ hz: 250, topology: topo(), precise: false, ...over });
}

function counters(e: PghotEngine): Record<string, number> {
  return Object.fromEntries(e.counters().map((c) => [c.name, c.value]));
}

type Ev = [number, number, number, number, number, OutcomeCode];
function observe(e: PghotEngine): Ev[] {
  const events: Ev[] = [];
  const obs: PassObserver = { examined: (t, n, p, f, to, o) => void events.push([t, n, p, f, to, o]) };
  e.observer = obs;
  return events;
}

describe('pghot: record path', () => {
  it('counts the three pghot vmstat items first, in pghot.rst order', () => {
    expect(
      engine()
        .counters()
        .slice(0, 3)
        .map((c) => c.name),
    ).toEqual(['pghot_recorded_accesses', 'pghot_recorded_hintfaults', 'pghot_recorded_hwhints']);
  });

  it('saturates the 2-bit frequency and sets READY at the threshold', () => {
    const e = engine();
    // All before the first pass at 1000 + 25. Bucket of 1000..1003 is 7 (7 << 2 = 28).
    e.record_access(CXL, 0, 0, 1000); // fresh: freq 1 -> 1 | 28 = 29
    expect(e.record_of(CXL)).toBe(29);
    e.record_access(CXL, 0, 0, 1001); // freq 2 >= 2: READY -> 0x80 | 2 | 28
    expect(e.record_of(CXL)).toBe(0x80 + 2 + 28);
    e.record_access(CXL, 0, 0, 1002); // freq 3
    e.record_access(CXL, 0, 0, 1003); // PGHOT_FREQ_MAX 3: stays
    expect(e.record_of(CXL)).toBe(0x80 + 3 + 28);
    const c = counters(e);
    expect([c.pghot_recorded_accesses, c.pghot_recorded_hwhints, c.kpromo_pghot_ready]).toEqual([4, 4, 3]);
  });

  it('starts a new window after more than 3000 ms counted in 128-jiffy buckets', () => {
    const e = engine({ freq_threshold: 3 }); // never READY here, so passes leave the records alone
    e.record_access(CXL, 0, 0, 0); // bucket 0, freq 1
    // t 767, bucket 5: latency 5 * 128 = 640 jiffies = 2560 ms <= 3000 although 767 jiffies (3068 ms) passed
    e.record_access(CXL, 0, 0, 767);
    expect(e.record_of(CXL)).toBe(2 + (5 << 2));
    // t 1408, bucket 11: 6 buckets = 768 jiffies = 3072 ms > 3000 -> freq 1
    e.record_access(CXL, 0, 0, 1408);
    expect(e.record_of(CXL)).toBe(1 + (11 << 2));
    // 32 buckets (4096 jiffies) later the 5-bit time aliases: latency 0, same window
    e.record_access(CXL + 1, 0, 0, 10); // bucket 0, freq 1
    e.record_access(CXL + 1, 0, 0, 4106); // bucket 32 -> stored 0, latency 0 -> freq 2
    expect(e.record_of(CXL + 1)).toBe(2);
    e.finish();
    // passes at 25, 50, ..., 4100 (164 of them) and the final one at 4125
    expect(e.summary().passes).toBe(165);
    expect(e.summary().tracked).toBe(2);
    expect(counters(e).kpromo_kmigrated_runs).toBe(0);
  });

  it('filters sources, nodes and page kinds like pghot_record_access()', () => {
    const e = engine();
    e.record_access(0x1000, 1, 0, 0); // node 0 is top tier
    e.record_access(CXL, 1, 1, 0); // pgtscan: no such source any more -> -EINVAL
    e.record_access(CXL, 1, 9, 0); // unknown source -> -EINVAL
    e.record_access(CXL, 2, 0, 0); // accessing node == page node (src_nid == nid)
    e.record_access(0x500000, 1, 0, 0); // in no range: pfn_to_online_page() NULL
    e.record_access(0x400010, 1, 0, 0); // non-LRU
    e.record_access(CXL + 5, 1, 2, 0); // hint fault (trace src 2): recorded
    const c = counters(e);
    expect(c.kpromo_pghot_toptier).toBe(1);
    expect(c.kpromo_pghot_src_invalid).toBe(2);
    expect(c.kpromo_pghot_local).toBe(1);
    expect(c.kpromo_pghot_not_lru).toBe(2);
    // hwhints counted before the page checks: 0x1000, CXL(nid 2), 0x500000, 0x400010
    expect(c.pghot_recorded_hwhints).toBe(4);
    expect(c.pghot_recorded_hintfaults).toBe(1);
    expect(c.pghot_recorded_accesses).toBe(1);
  });

  it('ignores a disabled source without counting it', () => {
    const e = engine({ enabled_sources: 0x1 }); // hint faults only: the latest kernel default
    e.record_access(CXL, 0, 0, 0);
    const c = counters(e);
    expect([c.pghot_recorded_hwhints, c.kpromo_pghot_src_disabled, c.pghot_recorded_accesses]).toEqual([0, 1, 0]);
  });
});

describe('pghot: kmigrated', () => {
  it('promotes a READY page to the fixed target node; afterwards the page is top tier', () => {
    const e = engine();
    const ev = observe(e);
    e.record_access(CXL, 1, 0, 1000); // nid 1 is ignored in default mode
    e.record_access(CXL, 1, 0, 1001); // READY, kmigrated2 activated
    e.record_access(CXL, 1, 0, 1030); // after the pass at 1025: page is on node 0 -> not recorded
    e.finish(); // final pass at 1050: not activated
    expect(e.pfn_to_nid(CXL)).toBe(0);
    expect(ev).toEqual([[1025, 2, CXL, 2, 0, OutcomeCode.Promoted]]);
    const c = counters(e);
    expect(c.kpromo_pghot_toptier).toBe(1);
    expect(c.pghot_recorded_accesses).toBe(2);
    expect(c.kpromo_kmigrated_runs).toBe(1);
    expect(c.kpromo_kmigrated_examined).toBe(1);
    expect(c.kpromo_kmigrated_batches).toBe(1);
    // no budget on node 0: pgdat_free_space_enough() -> candidate_nrl, no rate limit
    expect([c.pgpromote_candidate_nrl, c.pgpromote_candidate]).toEqual([1, 0]);
    expect([c.pgpromote_success, c.numa_pages_migrated]).toEqual([1, 1]);
    expect(e.summary()).toMatchObject({ records: 3, passes: 2, tracked: 0, first_pass: 1025, last_pass: 1050 });
  });

  it('promotes to --target-nid', () => {
    const e = engine({ target_nid: 1 });
    e.record_access(CXL, 0, 0, 0);
    e.record_access(CXL, 0, 0, 1);
    e.finish();
    expect(e.pfn_to_nid(CXL)).toBe(1);
  });

  it('leaves pages below the threshold alone and keeps their records', () => {
    const e = engine();
    e.record_access(CXL, 0, 0, 0);
    e.finish();
    expect(e.pfn_to_nid(CXL)).toBe(2);
    expect(e.summary().tracked).toBe(1);
    expect(counters(e).kpromo_kmigrated_runs).toBe(0);
  });

  it('flushes a batch at kmigrated_batch_nr + 1 folios and migrates the list last-isolated first', () => {
    // node 0: free 1024 + 4, high 1024. Not "free space enough" (needs > 1024 + 262144), so each page
    // counts pgpromote_candidate; the rate limit (16777216 pages/s) never bites.
    const e = new PghotEngine({
      hz: 250,
      topology: topo({ free_pages: 1028, high_wmark_pages: 1024 }),
      precise: false,
      kmigrated_batch_nr: 64,
    });
    for (let i = 0; i < 66; i++) {
      e.record_access(CXL + i, 0, 0, 1000);
      e.record_access(CXL + i, 0, 0, 1001);
    }
    e.finish(); // the pass at 1025
    // Isolation (free 1028 > 1025) passes for pages 0..64; the 65th isolation makes ++batch_count 65 > 64:
    // flush. LIFO: page 64 (free -> 1027), 63 (-> 1026), 62 (-> 1025); page 61: 1025 > 1025 fails, so do 0..60.
    // Page 65: prepare sees 1025 > 1025 false.
    expect([0, 61, 62, 63, 64, 65].map((i) => e.pfn_to_nid(CXL + i))).toEqual([2, 2, 0, 0, 0, 2]);
    const c = counters(e);
    expect(c.kpromo_kmigrated_examined).toBe(66);
    expect(c.kpromo_kmigrated_batches).toBe(1);
    expect(c.kpromo_kmigrated_migrate_failed).toBe(62);
    expect(c.kpromo_kmigrated_prepare_failed).toBe(1);
    expect(c.numa_pages_migrated).toBe(3);
    expect(c.pgpromote_candidate).toBe(66);
    expect(e.free_pages_of(0)).toBe(1025);
    expect(e.summary().tracked).toBe(0); // every READY record was taken, promoted or not
  });

  it('starts a new batch for every 128 MiB section', () => {
    // free 1027, high 1024. A1, A2 in section 64 (pfn 0x200000 >> 15), B in section 65.
    // Per section: [A1, A2] flushed LIFO (A2 -> 1026, A1 -> 1025); B: prepare 1025 > 1025 false.
    // (One batch for all three would have promoted B and A2 instead.)
    const e = new PghotEngine({ hz: 250, topology: topo({ free_pages: 1027, high_wmark_pages: 1024 }), precise: false });
    for (const pfn of [CXL, CXL + 1, CXL + 0x8000]) {
      e.record_access(pfn, 0, 0, 0);
      e.record_access(pfn, 0, 0, 1);
    }
    e.finish();
    expect([CXL, CXL + 1, CXL + 0x8000].map((p) => e.pfn_to_nid(p))).toEqual([0, 0, 2]);
    const c = counters(e);
    expect([c.kpromo_kmigrated_batches, c.kpromo_kmigrated_prepare_failed]).toEqual([1, 1]);
  });

  it('rate-limits promotions per target node per second', () => {
    // 1 MB/s = 256 pages/s; node 0 budget 200000 free is not "enough" (needs > 1024 + 262144).
    const e = new PghotEngine({
      hz: 250,
      topology: topo({ free_pages: 200000, high_wmark_pages: 1024 }),
      precise: false,
      promote_rate_limit_MBps: 1,
    });
    const ev = observe(e);
    for (let i = 0; i < 300; i++) {
      e.record_access(CXL + i, 0, 0, 1000);
      e.record_access(CXL + i, 0, 0, 1001);
    }
    // Pass at 1025 (now_ms 4100): the 1st candidate opens a window (4100 - 0 > 1000) with base 1;
    // candidate k is limited when k - 1 >= 256: pages 0..255 pass, 256..299 are limited.
    for (let i = 300; i < 310; i++) {
      e.record_access(CXL + i, 0, 0, 1300);
      e.record_access(CXL + i, 0, 0, 1301);
    }
    // Pass at 1325 (now_ms 5300): 5300 - 4100 > 1000 opens a new window: all 10 pass.
    e.finish();
    const c = counters(e);
    expect(c.kpromo_kmigrated_rate_limited).toBe(44);
    expect(c.numa_pages_migrated).toBe(266);
    expect(c.pgpromote_candidate).toBe(310);
    expect(e.pfn_to_nid(CXL + 255)).toBe(0);
    expect(e.pfn_to_nid(CXL + 256)).toBe(2);
    expect(ev.filter((x) => x[5] === OutcomeCode.Failed).map((x) => x[2])[0]).toBe(CXL + 256);
    expect(e.pgdat_of(0)).toMatchObject({ nbp_rl_start: 5300, nbp_rl_nr_cand: 301 });
  });

  it('checks pgdat_free_space_enough() against max(1 GiB, node_present_pages >> 4) above high_wmark', () => {
    // node 0 present 0x100000 pages -> >> 4 = 65536 < 262144 (1 GiB): enough_wmark 262144.
    const run = (free: number): Record<string, number> => {
      const e = new PghotEngine({
        hz: 250,
        topology: topo({ free_pages: free, high_wmark_pages: 1024 }),
        precise: false,
        promote_rate_limit_MBps: 0, // every candidate that reaches the rate limit is refused
      });
      e.record_access(CXL, 0, 0, 0);
      e.record_access(CXL, 0, 0, 1);
      e.finish();
      return counters(e);
    };
    const enough = run(1024 + 262144 + 1);
    expect([enough.pgpromote_candidate_nrl, enough.numa_pages_migrated, enough.kpromo_kmigrated_rate_limited]).toEqual([1, 1, 0]);
    const short = run(1024 + 262144);
    expect([short.pgpromote_candidate, short.numa_pages_migrated, short.kpromo_kmigrated_rate_limited]).toEqual([1, 0, 1]);
  });

  it('drops a record whose last access is as old as the threshold (HZ 100: one bucket = 1280 ms)', () => {
    const e = new PghotEngine({
      hz: 100,
      topology: topo({ free_pages: 200000, high_wmark_pages: 1024 }),
      precise: false,
      freq_window_ms: 1000,
    });
    const ev = observe(e);
    e.record_access(CXL, 0, 0, 120); // bucket 0, freq 1
    e.record_access(CXL, 0, 0, 121); // freq 2: READY
    e.finish(); // pass at 130 (D = msecs_to_jiffies(100) = 10): bucket 1, latency 128 jiffies = 1280 ms >= 1000
    expect(ev).toEqual([[130, 2, CXL, 2, 0, OutcomeCode.DroppedColdOld]]);
    const c = counters(e);
    expect([c.kpromo_kmigrated_too_old, c.pgpromote_candidate, c.numa_pages_migrated]).toEqual([1, 0, 0]);
    expect(e.summary().tracked).toBe(0);
  });
});

describe('pghot: precise mode', () => {
  it('saturates the 3-bit frequency at 7 and promotes to the accessing node', () => {
    const e = engine({ precise: true, freq_threshold: 7 });
    for (let t = 0; t < 7; t++) e.record_access(CXL, 1, 0, t);
    // 7th access (t 6): freq 7 -> nid 1 | 7 << 10 | 6 << 13 | READY
    expect(e.record_of(CXL)).toBe(1 + 7168 + 6 * 8192 + 2 ** 31);
    e.record_access(CXL, 1, 0, 7); // stays 7
    expect(e.record_of(CXL)).toBe(1 + 7168 + 7 * 8192 + 2 ** 31);
    e.finish(); // pass at 25
    expect(e.pfn_to_nid(CXL)).toBe(1);
  });

  it('keeps 14 bits of raw jiffies: the window test aliases every 16384 jiffies', () => {
    const e = engine({ precise: true, freq_threshold: 7 }); // window 5000 ms = 1250 jiffies
    e.record_access(CXL, -1, 0, 100); // NUMA_NO_NODE -> target 0; freq 1
    e.record_access(CXL, -1, 0, 100 + 16384 + 10); // time 110: 40 ms -> freq 2
    expect(e.record_of(CXL)).toBe((2 << 10) + 110 * 8192);
    e.record_access(CXL + 1, -1, 0, 100);
    e.record_access(CXL + 1, -1, 0, 1350); // 1250 jiffies = 5000 ms, not > 5000: freq 2
    e.record_access(CXL + 2, -1, 0, 100);
    e.record_access(CXL + 2, -1, 0, 1351); // 5004 ms: freq 1
    expect((e.record_of(CXL + 1) >>> 10) & 7).toBe(2);
    expect((e.record_of(CXL + 2) >>> 10) & 7).toBe(1);
  });

  it('rejects an accessing nid that is not an online top-tier node', () => {
    const e = engine({ precise: true });
    e.record_access(CXL, 2, 0, 0); // node 2 is lower tier
    e.record_access(CXL, 7, 0, 0); // no node 7
    const c = counters(e);
    expect([c.kpromo_pghot_nid_invalid, c.pghot_recorded_hwhints]).toEqual([2, 0]);
  });
});

describe('pghot: configuration', () => {
  it('rejects values the sysctls refuse', () => {
    expect(() => engine({ freq_threshold: 4 })).toThrow(UsageError); // 1..3 in default mode
    expect(() => engine({ precise: true, freq_threshold: 7 })).not.toThrow();
    expect(() => engine({ target_nid: 2 })).toThrow(/not a top-tier node/);
    expect(() => engine({ target_nid: 5 })).toThrow(/no such node/);
    expect(() => engine({ kmigrated_batch_nr: 8 })).toThrow(UsageError);
  });

  it('names the option a user types, then the kernel knob, and the value', () => {
    expect(() => engine({ freq_threshold: 4 })).toThrow('--threshold must be an integer in [1, 3] (vm.pghot_freq_threshold), got "4"');
    expect(() => engine({ freq_window_ms: 0 })).toThrow('--window must be an integer in [1000, 3968] (vm.pghot_promote_freq_window_ms), got "0"');
    expect(() => engine({ kmigrated_sleep_ms: 10 })).toThrow('--period must be an integer in [50, 1000] (pghot/kmigrated_sleep_ms), got "10"');
    expect(() => engine({ kmigrated_batch_nr: 8 })).toThrow('--batch must be an integer in [64, 1024] (pghot/kmigrated_batch_nr), got "8"');
    expect(() => engine({ enabled_sources: 4 })).toThrow('--sources must be an integer in [0, 3] (vm.pghot_enabled_sources), got "4"');
  });

  it('derives the default target like pghot_target_nid_init() when node 0 is not top tier', () => {
    const t: Topology = {
      name: 'cxl0',
      nodes: [
        node(0, { adistance: 2880, pfn_ranges: [{ start: 0, end: 0x1000, kind: 'lru' }] }),
        node(3, { cpus: [0], pfn_ranges: [{ start: 0x1000, end: 0x2000, kind: 'lru' }] }),
      ],
    };
    expect(new PghotEngine({ hz: 250, topology: t, precise: false }).config.target_nid).toBe(3);
  });
});

describe('pghot: invariants on a seeded trace', () => {
  it('every READY record taken ends in exactly one outcome, and events match the counters', () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const precise of [false, true]) {
      const e = new PghotEngine({
        hz: 250,
        topology: topo({ free_pages: 5000, high_wmark_pages: 1024 }),
        precise,
        promote_rate_limit_MBps: 2,
        kmigrated_batch_nr: 64,
      });
      const ev = observe(e);
      let t = 0;
      for (let i = 0; i < 20000; i++) {
        t += rand(3);
        e.record_access(CXL + rand(2000) * 7, rand(3) - 1, rand(3), t);
      }
      e.finish();
      const c = counters(e);
      const outcomes = c.kpromo_kmigrated_too_old! + c.kpromo_kmigrated_rate_limited! + c.kpromo_kmigrated_prepare_failed! +
        c.kpromo_kmigrated_migrate_failed! + c.numa_pages_migrated!;
      expect(outcomes).toBe(c.kpromo_kmigrated_examined);
      expect(ev.length).toBe(c.kpromo_kmigrated_examined);
      expect(ev.filter((x) => x[5] === OutcomeCode.Promoted).length).toBe(c.numa_pages_migrated);
      expect(c.pgpromote_success).toBe(c.numa_pages_migrated);
      expect(c.numa_pages_migrated).toBeGreaterThan(0);
      const toNode0 = ev.filter((x) => x[5] === OutcomeCode.Promoted && x[4] === 0).length;
      if (!precise) expect(toNode0).toBe(c.numa_pages_migrated);
      expect(e.free_pages_of(0)).toBe(5000 - toNode0);
      expect(c.pghot_recorded_accesses).toBeLessThanOrEqual(c.pghot_recorded_hwhints! + c.pghot_recorded_hintfaults!);
    }
  });
});
