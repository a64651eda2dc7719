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
  /** Same indexing as take_interval_accesses(): daemon node id, or the last slot for targets without one. Resets. */
  take_interval_instant_hits(): Float64Array;
}

/** Counts accesses for the bounds; call record_access() after the engine took the same record. */
export class SlowPageCounter implements AccessSink, SlowPageCounts, IntervalBoundsSource {
  private readonly ranges: RangeMap;
  private readonly nodes: Nodes;
  private readonly counts = new PageIndex(12);
  private readonly intervalHits: Float64Array;
  private accesses = 0;
  private toptierAtStart = 0;
  private slowAccesses = 0;

  constructor(
    private readonly topology: Topology,
    /** hot_node of NUMA_NO_NODE accesses (--default-node), to attribute accesses to rows as the engine does. */
    private readonly defaultNode: number,
  ) {
    this.ranges = new RangeMap(topology);
    this.nodes = new Nodes(topology);
    this.intervalHits = new Float64Array(this.nodes.size + 1);
  }

  /** One access record (the arguments of kpromoted_record_access()). */
  record_access(pfn: number, nid: number, _src: number, _time: number): void {
    this.accesses++;
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
      this.intervalHits[nodes.hasDaemon(hot) ? hot : nodes.size]!++;
    }
  }

  /** record_access() for the first `n` records of typed arrays. */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
  }

  /** Instant-bound hits since the previous call, by target node; resets them. */
  take_interval_instant_hits(): Float64Array {
    const out = this.intervalHits.slice();
    this.intervalHits.fill(0);
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
