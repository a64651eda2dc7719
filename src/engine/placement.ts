/** pfn -> (node, kind) from the topology's pfn ranges: the replay's pfn_to_nid() before any migration. */
import type { RangeKind, Topology } from './topology.js';

/** Range kinds as small integers; KIND_NONE means the pfn is in no range (pfn_to_online_page() is NULL). */
export const KIND_LRU = 0;
/** folio_test_lru() false. */
export const KIND_NONLRU = 1;
/** is_zone_device_page() true. */
export const KIND_DEVICE = 2;
/** In no node's range. */
export const KIND_NONE = 3;

const KIND_CODE: Record<RangeKind, number> = { lru: KIND_LRU, nonlru: KIND_NONLRU, device: KIND_DEVICE };

/** Sorted, flattened pfn ranges with a binary search; lookup() sets `nid` and `kind`. */
export class RangeMap {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly nids: Int32Array;
  private readonly kinds: Uint8Array;
  private last = 0;
  /** Node of the last lookup (-1 when in no range). */
  nid = -1;
  /** Kind of the last lookup. */
  kind = KIND_NONE;

  constructor(topo: Topology) {
    const all = topo.nodes
      .flatMap((n) => n.pfn_ranges.map((r) => ({ start: r.start, end: r.end, nid: n.id, kind: KIND_CODE[r.kind] })))
      .sort((a, b) => a.start - b.start);
    this.starts = Float64Array.from(all, (r) => r.start);
    this.ends = Float64Array.from(all, (r) => r.end);
    this.nids = Int32Array.from(all, (r) => r.nid);
    this.kinds = Uint8Array.from(all, (r) => r.kind);
  }

  /** Looks pfn up; the answer is in this.nid and this.kind. */
  lookup(pfn: number): void {
    const starts = this.starts;
    let i = this.last;
    if (!(i < starts.length && starts[i]! <= pfn && pfn < this.ends[i]!)) {
      // Last range with start <= pfn.
      let lo = 0;
      let hi = starts.length - 1;
      i = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid]! <= pfn) {
          i = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (i < 0 || pfn >= this.ends[i]!) {
        this.nid = -1;
        this.kind = KIND_NONE;
        return;
      }
      this.last = i;
    }
    this.nid = this.nids[i]!;
    this.kind = this.kinds[i]!;
  }
}
