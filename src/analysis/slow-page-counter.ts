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
import { PageState } from '../engine/page-state.js';
import { slowRegions } from '../engine/page-tally.js';
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

/** Records countDense() takes at a time. */
const GATHER = 4096;
/** countDense()'s index of an access to a top-tier page, and of one not counted (no range, or a slow non-LRU/device range). */
const IX_TOP = -1;
const IX_NONE = -2;

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
  /** countDense()'s page indexes of its records. */
  private readonly ix = new Int32Array(GATHER);
  /** Dense page state: one bit per page, set at its first access (the test countDense() makes at every access, in cache). */
  private readonly seen: Uint8Array;

  constructor(
    private readonly topology: Topology,
    /** hot_node of NUMA_NO_NODE accesses (--default-node), to attribute accesses to rows as the engine does. */
    private readonly defaultNode: number,
    /** Daemon period in jiffies (msecs_to_jiffies(KPROMOTE_DELAY)): the pass clock's step. */
    private readonly periodJiffies = 1,
  ) {
    // Per range: its region, -1 top tier, -2 not counted (non-LRU or device on a slow node: N only).
    const { ranges, regions, regionOf } = slowRegions(topology);
    this.ranges = ranges;
    this.nodes = new Nodes(topology);
    this.region = regionOf;
    this.pages = new PageState(regions, 0, true);
    this.seen = new Uint8Array(this.pages.dense ? (this.pages.spare >> 3) + 1 : 0);
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
    for (let i = 0; i < n; i += GATHER) this.countDense(pfn, nid, time, i, Math.min(n, i + GATHER));
  }

  /**
   * Records [from, to) with dense page state: each record's page index (or IX_TOP, IX_NONE); then the records in order,
   * a page's first access told by a bit of `seen` (256 KiB for the bench's 2 M slow-tier pages: in cache); then the
   * counts, in a loop of nothing but independent increments, whose cache misses overlap (2 MiB of counts, a byte a page).
   * The counter alone over the bench's 10 M records: 682 -> 555 ms (medians of 5, alternating in one process).
   */
  private countDense(pfn: Float64Array, nid: Int32Array, time: Float64Array, from: number, to: number): void {
    const rt = this.ranges;
    const region = this.region;
    const bases = this.pages.bases;
    const starts = rt.starts;
    const counts = this.pages.counts!;
    const seen = this.seen;
    const ix = this.ix;
    for (let i = from; i < to; i++) {
      const p = pfn[i]!;
      const r = rt.find(p);
      const reg = r < 0 ? -2 : region[r]!;
      if (reg < 0) {
        ix[i - from] = reg === -1 ? IX_TOP : IX_NONE;
        continue;
      }
      const idx = (bases[reg]! + (p - starts[r]!)) | 0; // < DENSE_MAX_PAGES
      ix[i - from] = idx;
    }
    let maxTime = this.maxTime;
    let top = 0;
    let slow = 0;
    let first = 0;
    for (let i = from; i < to; i++) {
      const t = time[i]!;
      if (t > maxTime) maxTime = t;
      const idx = ix[i - from]!;
      if (idx === IX_NONE) continue; // in no range, or non-LRU or device on a slow node: N only
      if (idx === IX_TOP) top++;
      else {
        slow++;
        const b = seen[idx >> 3]!;
        const bit = 1 << (idx & 7);
        if ((b & bit) === 0) {
          seen[idx >> 3] = b | bit;
          first++; // the page's first access: no hit
          continue;
        }
      }
      this.hit(maxTime, nid[i]!);
    }
    // The counts, in a loop of independent increments whose cache misses overlap.
    const pages = this.pages;
    for (let k = 0; k < to - from; k++) {
      const idx = ix[k]!;
      if (idx >= 0) {
        const c = counts[idx]! + 1;
        counts[idx] = c;
        if (c > 255) pages.carry(idx); // the byte wrapped (page-state.ts)
      }
    }
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
