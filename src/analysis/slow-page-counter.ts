/**
 * The per-access side of the bounds (bounds.ts): fed the same record stream as the engine, right after the
 * engine takes each record, it classifies the access by the topology's ranges (before any migration) and
 * keeps one access count per slow-tier LRU page touched (a pfn-keyed PageIndex, the engine's own table
 * type: memory bounded by the pages touched, never by the trace length).
 *
 * It also keeps, like the engine's take_interval_accesses(), per target node since the last pass: the
 * accesses an instant policy would have served from the fast tier (T0 accesses, and accesses to slow-tier
 * LRU pages that are not the page's first access in the trace), for the timeline's per-row instant bound.
 */
import { Nodes } from '../engine/nodes.js';
import { PageIndex } from '../engine/page-index.js';
import { KIND_LRU, RangeMap } from '../engine/placement.js';
import type { Topology } from '../engine/topology.js';
import type { AccessSink } from '../engine/types.js';
import { computeBounds, promotionCapacity, type Bounds, type SlowPageCounts } from './bounds.js';

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
  private readonly ranges: RangeMap;
  private readonly nodes: Nodes;
  private readonly counts = new PageIndex(12);
  /**
   * Hits by the pass that closes them: the engine may apply records in batches and run a pass after this counter
   * has seen later records, so each record's pass is computed from the pass clock (SPEC 2.3: a record with
   * running-maximum time M is applied before the pass at T0 + k*D for the smallest k with T0 + k*D > M).
   */
  private readonly hitsByPass = new Map<number, Float64Array>();
  private firstTime = -1;
  private maxTime = -1;
  private currentPass = -1;
  private current: Float64Array | null = null;
  private accesses = 0;
  private toptierAtStart = 0;
  private slowAccesses = 0;

  constructor(
    private readonly topology: Topology,
    /** hot_node of NUMA_NO_NODE accesses (--default-node), to attribute accesses to rows as the engine does. */
    private readonly defaultNode: number,
    /** Daemon period in jiffies (msecs_to_jiffies(KPROMOTE_DELAY)): the pass clock's step. */
    private readonly periodJiffies = 1,
  ) {
    this.ranges = new RangeMap(topology);
    this.nodes = new Nodes(topology);
  }

  /** One access record (the arguments of kpromoted_record_access()). */
  record_access(pfn: number, nid: number, _src: number, time: number): void {
    this.accesses++;
    if (this.firstTime < 0) this.firstTime = time;
    if (time > this.maxTime) this.maxTime = time;
    const ranges = this.ranges;
    ranges.lookup(pfn);
    const node = ranges.nid;
    if (node < 0) return; // in no range: N only
    const nodes = this.nodes;
    let hit: boolean;
    if (nodes.toptier[node] === 1) {
      this.toptierAtStart++;
      hit = true;
    } else {
      if (ranges.kind !== KIND_LRU) return; // non-LRU or device on a slow node: N only
      this.slowAccesses++;
      const idx = this.counts;
      const pos = idx.find(pfn);
      if (pos >= 0) {
        idx.setAt(pos, idx.valueAt(pos) + 1);
        hit = true; // not the page's first access
      } else {
        idx.insertAt(pos, pfn, 1);
        hit = false;
      }
    }
    if (hit) {
      const hot = nid === -1 ? this.defaultNode : nid;
      const k = Math.floor((this.maxTime - this.firstTime) / this.periodJiffies) + 1; // the pass that closes this access
      if (k !== this.currentPass) {
        this.currentPass = k;
        let h = this.hitsByPass.get(k);
        if (h === undefined) this.hitsByPass.set(k, (h = new Float64Array(nodes.size + 1)));
        this.current = h;
      }
      this.current![nodes.hasDaemon(hot) ? hot : nodes.size]!++;
    }
  }

  /** record_access() for the first `n` records of typed arrays. */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
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
      }
    }
    return out;
  }

  /** Every slow-tier LRU page's access count. */
  forEachSlowPageCount(f: (count: number) => void): void {
    this.counts.forEach((_pfn, count) => f(count));
  }

  /** The bounds of everything recorded so far. */
  bounds(): Bounds {
    return computeBounds(
      { accesses: this.accesses, toptier_at_start: this.toptierAtStart, slow_pages: this.counts.size, slow_page_accesses: this.slowAccesses },
      this,
      promotionCapacity(this.topology),
    );
  }
}
