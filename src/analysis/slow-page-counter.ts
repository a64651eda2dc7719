/**
 * The per-access side of the bounds (bounds.ts): fed the same record stream as the engine, right after the
 * engine takes each record, it classifies the access by the topology's ranges (before any migration) and
 * keeps one access count per slow-tier LRU page touched, in the engine's own per-page store (PageState:
 * one dense array over the slow-tier LRU ranges, whose 4 KiB pages the OS backs only where touched, or a
 * hashed index for ranges too large for that): memory bounded by the pages touched, never by the trace
 * length. A pfn-keyed hash table before 2026-11-30 cost a cache miss per access (1.36x the analysis's time).
 *
 * It also keeps, like the engine's take_interval_accesses(), per target node since the last pass: the
 * accesses an instant policy would have served from the fast tier (T0 accesses, and accesses to slow-tier
 * LRU pages that are not the page's first access in the trace), for the timeline's per-row instant bound.
 */
import { Nodes } from '../engine/nodes.js';
import type { PageState } from '../engine/page-state.js';
import { slowPageIndexing } from '../engine/page-tally.js';
import type { RangeTable } from '../engine/placement.js';
import type { Topology } from '../engine/topology.js';
import type { AccessSink } from '../engine/types.js';
import { computeBounds, promotionCapacity, type Bounds, type SlowPageCounts } from './bounds.js';
import { OneRecord } from '../engine/one-record.js';

/** What the timeline collector reads at each pass: instant-bound hits since the last pass, by target node. */
export interface IntervalBoundsSource {
  /**
   * The hits of the accesses the pass at jiffies `passTime` closes (and any earlier ones not taken yet), by target
   * node, with the indexing of take_interval_accesses(): daemon node id, or the last slot for targets without one.
   */
  take_interval_instant_hits(passTime: number): Float64Array;
}


/** Counts accesses for the bounds; call record_access() after the engine took the same record. */
export class SlowPageCounter implements AccessSink, SlowPageCounts, IntervalBoundsSource {
  private readonly ranges: RangeTable;
  private readonly nodes: Nodes;
  /** Access counts of the slow-tier LRU pages (counts column; state and slot are not used). */
  private readonly pages: PageState;
  /** Per range: its region in `pages` (slow-tier LRU ranges), -1 for a top-tier range, -2 for one not counted. */
  private readonly region: Int32Array;
  private slowPages = 0;
  /**
   * Hits by the pass that closes them: the engine may apply records in batches and run a pass after this counter
   * has seen later records, so each record's pass is computed from the pass clock (SPEC 2.3: a record with
   * running-maximum time M is applied before the pass at T0 + k*D for the smallest k with T0 + k*D > M).
   */
  private readonly hitsByPass = new Map<number, Float64Array>();
  private firstTime = -1;
  private maxTime = -1;
  private currentPass = -1;
  /** The time of the pass `current` belongs to: a hit at a running maximum at or past it opens the next (openPass). */
  private passEnd = -1;
  private current: Float64Array | null = null;
  /** record_access()'s one record, as columns for record_batch(). */
  private readonly one = new OneRecord();
  private accesses = 0;
  private toptierAtStart = 0;
  private slowAccesses = 0;
  /** Per range: pfn + addOf[r] is the page's index (slow-tier LRU ranges). */
  private readonly addOf: Float64Array;
  /** The granule codes (placement.ts granuleCodes()) over those indexes, the spare index for a top-tier pfn. */
  private readonly gcode: Int32Array;
  private readonly glo: number;
  private readonly gspan: number;
  private readonly gshift: number;
  /** By nid + 1: the index of an access's target node in the hits (its hot node with a daemon, else the last slot). */
  private readonly targetOf: Int32Array;

  constructor(
    private readonly topology: Topology,
    /** hot_node of NUMA_NO_NODE accesses (--default-node), to attribute accesses to rows as the engine does. */
    private readonly defaultNode: number,
    /** Daemon period in jiffies (msecs_to_jiffies(KPROMOTE_DELAY)): the pass clock's step. */
    private readonly periodJiffies = 1,
  ) {
    // Per range: its region, -1 top tier, -2 not counted (non-LRU or device on a slow node: N only).
    const x = slowPageIndexing(topology);
    this.ranges = x.ranges;
    this.nodes = new Nodes(topology);
    this.region = x.regionOf;
    this.pages = x.pages;
    this.addOf = x.add;
    this.gcode = x.gcode;
    this.glo = x.glo;
    this.gspan = x.gspan;
    this.gshift = x.gshift;
    const size = this.nodes.size;
    this.targetOf = new Int32Array(size + 1);
    for (let nid = -1; nid < size; nid++) {
      const hot = nid === -1 ? defaultNode : nid;
      this.targetOf[nid + 1] = this.nodes.hasDaemon(hot) ? hot : size;
    }
  }

  /** One access record (the arguments of kpromoted_record_access()). */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.one.give(this, pfn, nid, src, time);
  }

  /** record_access() for the first `n` records of typed arrays: counters in locals, written back at the end. */
  record_batch(pfn: Float64Array, nid: Int32Array, _src: Int32Array, time: Float64Array, n: number): void {
    if (this.firstTime < 0 && n > 0) this.firstTime = time[0]!;
    if (!this.pages.dense) {
      this.countHashed(pfn, nid, time, 0, n);
      return;
    }
    this.countDense(pfn, nid, time, 0, n);
  }

  /**
   * Records [from, to) with dense page state, in one loop: each record's page index by its granule code, as the
   * engine's first phase finds it (the range table only where a granule holds several ranges), and the hit's target
   * from a table by nid. A page's first access is its count going from 0 to 1 (a count that wrapped to 0 has a carry).
   * The counter alone over the bench's 10 M records: 682 -> 555 ms (2026-11-30: the counts in a loop of their own,
   * and a bit a page for first accesses), then 440 -> 360 ms by medians of 4 alternating processes of 3 runs
   * (2026-12-02 06:55: this loop, against the range table searched for each record, a method call for each hit's
   * target, and those two loops).
   */
  private countDense(pfn: Float64Array, nid: Int32Array, time: Float64Array, from: number, to: number): void {
    const rt = this.ranges;
    const region = this.region;
    const addOf = this.addOf;
    const gcode = this.gcode;
    const glo = this.glo;
    const gspan = this.gspan;
    const gshift = this.gshift;
    const spare = this.pages.spare;
    const pages = this.pages;
    const counts = pages.counts!;
    const targetOf = this.targetOf;
    const size = this.nodes.size;
    let maxTime = this.maxTime;
    let passEnd = this.passEnd;
    let current = this.current;
    let top = 0;
    let slow = 0;
    let first = 0;
    for (let i = from; i < to; i++) {
      const t = time[i]!;
      if (t > maxTime) maxTime = t;
      // The page's index by its granule code (as the engine's first phase), else by range: the spare index for a
      // top-tier pfn, -1 for one not counted (no range, or a slow-tier nonlru or device range: N only).
      const p = pfn[i]!;
      let idx = -1;
      const d = p - glo;
      let code = -2;
      if (d >= 0 && d < gspan) {
        const di = d | 0;
        code = gcode[di >>> gshift]!;
        if (code !== -2) idx = (di & -(code & 1)) + (code >> 1);
      }
      if (code === -2) {
        const r = rt.find(p);
        const reg = r < 0 ? -2 : region[r]!;
        if (reg === -2) continue;
        idx = reg === -1 ? spare : (p + addOf[r]!) | 0;
      }
      if (idx === spare) top++;
      else {
        slow++;
        const c = counts[idx]! + 1;
        counts[idx] = c;
        if (c > 255) pages.carry(idx); // the byte wrapped (page-state.ts)
        else if (c === 1 && !pages.carried(idx)) {
          first++; // the page's first access: no hit
          continue;
        }
      }
      // An instant-bound hit, to the pass that closes it (hit()).
      if (maxTime >= passEnd) {
        this.openPass(maxTime);
        passEnd = this.passEnd;
        current = this.current;
      }
      const n = nid[i]!;
      current![n >= -1 && n < size ? targetOf[n + 1]! : size]!++;
    }
    // The counts, in a loop of independent increments whose cache misses overlap.
    this.add(maxTime, to - from, top, slow, first);
  }

  /** Records [from, to) with hashed page state, one at a time. */
  private countHashed(pfn: Float64Array, nid: Int32Array, time: Float64Array, from: number, to: number): void {
    const rt = this.ranges;
    const region = this.region;
    const pages = this.pages;
    let counts = pages.counts!;
    let maxTime = this.maxTime;
    let top = 0;
    let slow = 0;
    let first = 0;
    for (let i = from; i < to; i++) {
      const t = time[i]!;
      if (t > maxTime) maxTime = t;
      const p = pfn[i]!;
      const r = rt.find(p);
      if (r < 0) continue; // in no range: N only
      const reg = region[r]!;
      if (reg === -2) continue;
      if (reg === -1) top++;
      else {
        slow++;
        const idx = pages.indexOf(pages.offset(p, reg));
        counts = pages.counts!; // the hashed columns grow
        const c = counts[idx]!;
        counts[idx] = c + 1;
        if (c === 255) pages.carry(idx); // the byte wrapped (page-state.ts)
        if (c === 0 && !pages.carried(idx)) {
          first++; // the page's first access: no hit
          continue;
        }
      }
      this.hit(maxTime, nid[i]!);
    }
    this.add(maxTime, to - from, top, slow, first);
  }

  /** An instant-bound hit by an access of `nid` at running maximum `maxTime`: to its pass, by target node. */
  private hit(maxTime: number, nid: number): void {
    if (maxTime >= this.passEnd) this.openPass(maxTime);
    const hot = nid === -1 ? this.defaultNode : nid;
    this.current![this.nodes.hasDaemon(hot) ? hot : this.nodes.size]!++;
  }

  /** Adds a run of records' totals: accesses, T0 accesses, slow-tier LRU accesses and pages first accessed. */
  private add(maxTime: number, accesses: number, top: number, slow: number, first: number): void {
    this.maxTime = maxTime;
    this.accesses += accesses;
    this.toptierAtStart += top;
    this.slowAccesses += slow;
    this.slowPages += first;
  }

  /**
   * The hits from now on go to the pass that closes an access with running-maximum time `maxTime`: the pass at
   * T0 + k*D for the smallest k with T0 + k*D > maxTime. Until the running maximum reaches that pass's time, it is
   * the same pass (maxTime never decreases), so the division runs once a pass, not once a record.
   */
  private openPass(maxTime: number): void {
    const k = Math.floor((maxTime - this.firstTime) / this.periodJiffies) + 1;
    this.passEnd = this.firstTime + k * this.periodJiffies;
    this.currentPass = k;
    let h = this.hitsByPass.get(k);
    if (h === undefined) this.hitsByPass.set(k, (h = new Float64Array(this.nodes.size + 1)));
    this.current = h;
  }

  /** Instant-bound hits of the accesses closed by the pass at `passTime` (and earlier ones not yet taken). */
  take_interval_instant_hits(passTime: number): Float64Array {
    const out = new Float64Array(this.nodes.size + 1);
    const k = this.firstTime < 0 ? 0 : Math.round((passTime - this.firstTime) / this.periodJiffies);
    for (const [pass, h] of this.hitsByPass) {
      if (pass > k) continue;
      for (let i = 0; i < out.length; i++) out[i]! += h[i]!;
      this.hitsByPass.delete(pass);
      if (pass === this.currentPass) {
        this.currentPass = -1;
        this.current = null;
        this.passEnd = -1; // the next hit opens its pass again
      }
    }
    return out;
  }

  /** Every slow-tier LRU page's access count. */
  forEachSlowPageCount(f: (count: number) => void): void {
    this.pages.forEachCount((_pfn, count) => f(count));
  }

  /** The bounds of everything recorded so far. */
  bounds(): Bounds {
    return computeBounds(
      { accesses: this.accesses, toptier_at_start: this.toptierAtStart, slow_pages: this.slowPages, slow_page_accesses: this.slowAccesses },
      this,
      promotionCapacity(this.topology),
    );
  }
}
