/**
 * Accesses an engine ignores without any counter of its own (SPEC 2.2 step 3): the pfn is in no range
 * (`pfn_to_online_page()` NULL), in a `nonlru` range (`folio_test_lru()` false) or a `device` range
 * (`is_zone_device_page()`). The patch returns early for them; kpromo counts them beside the vmstat
 * counters (which stay as the kernel's), so that a topology that misses the trace does not go unnoticed.
 */
import { KIND_DEVICE, KIND_NONE, KIND_NONLRU } from './placement.js';
import type { IgnoredAccesses, IgnoredReason } from './types.js';

/** Reasons in display order, with the RangeMap kind each one stands for. */
export const IGNORED_REASONS: readonly IgnoredReason[] = ['no_range', 'nonlru', 'device'];
const KIND_OF: readonly number[] = [KIND_NONE, KIND_NONLRU, KIND_DEVICE];

/** Counts, lowest and highest pfn per range kind (indexed by the RangeMap kind code). */
export class IgnoredTally {
  private readonly count = new Float64Array(4);
  private readonly low = new Float64Array(4).fill(Infinity);
  private readonly high = new Float64Array(4).fill(-1);

  /** One ignored access to `pfn`, whose range kind is `kind` (KIND_NONE, KIND_NONLRU or KIND_DEVICE). */
  add(kind: number, pfn: number): void {
    this.count[kind]!++;
    if (pfn < this.low[kind]!) this.low[kind] = pfn;
    if (pfn > this.high[kind]!) this.high[kind] = pfn;
  }

  /** The three reasons, always in IGNORED_REASONS order; `share` is of `accesses` (all accesses replayed). */
  summary(accesses: number): IgnoredAccesses[] {
    return IGNORED_REASONS.map((reason, i) => {
      const k = KIND_OF[i]!;
      const n = this.count[k]!;
      return {
        reason,
        accesses: n,
        share: accesses > 0 ? n / accesses : 0,
        lowest_pfn: n > 0 ? this.low[k]! : null,
        highest_pfn: n > 0 ? this.high[k]! : null,
      };
    });
  }
}
