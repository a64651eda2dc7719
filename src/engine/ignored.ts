/**
 * Accesses an engine ignores without any counter of its own (SPEC 2.2 step 3): the pfn is in no range
 * (`pfn_to_online_page()` NULL), in a `nonlru` range (`folio_test_lru()` false) or a `device` range
 * (`is_zone_device_page()`). The patch returns early for them; kpromo counts them beside the vmstat
 * counters (which stay as the kernel's), so that a topology that misses the trace does not go unnoticed.
 * pghot has one more: a lower-tier page in a memory section that has no hot map (the section's first pfn
 * is on a top-tier node or offline), where pghot_record_access() returns before counting anything.
 */
import { KIND_DEVICE, KIND_NONE, KIND_NONLRU } from './placement.js';
import type { IgnoredAccesses, IgnoredReason } from './types.js';

/** Reason code beyond the range kinds (placement.ts): pghot's section without a hot map. */
export const KIND_NO_HOT_MAP = 4;

/** Reasons the rfc-v1 engines report, in display order. */
export const IGNORED_REASONS: readonly IgnoredReason[] = ['no_range', 'nonlru', 'device'];
/** Reasons the pghot engine reports, in display order. */
export const IGNORED_REASONS_PGHOT: readonly IgnoredReason[] = [...IGNORED_REASONS, 'no_hot_map'];

const CODE: Record<IgnoredReason, number> = {
  no_range: KIND_NONE,
  nonlru: KIND_NONLRU,
  device: KIND_DEVICE,
  no_hot_map: KIND_NO_HOT_MAP,
};

/** Counts, lowest and highest pfn per reason code (a range kind, or KIND_NO_HOT_MAP). */
export class IgnoredTally {
  private readonly count = new Float64Array(5);
  private readonly low = new Float64Array(5).fill(Infinity);
  private readonly high = new Float64Array(5).fill(-1);

  /** One ignored access to `pfn` for reason code `kind` (KIND_NONE, KIND_NONLRU, KIND_DEVICE or KIND_NO_HOT_MAP). */
  add(kind: number, pfn: number): void {
    this.count[kind]!++;
    if (pfn < this.low[kind]!) this.low[kind] = pfn;
    if (pfn > this.high[kind]!) this.high[kind] = pfn;
  }

  /** One entry per reason of `reasons`, in that order; `share` is of `accesses` (all accesses replayed). */
  summary(accesses: number, reasons: readonly IgnoredReason[] = IGNORED_REASONS): IgnoredAccesses[] {
    return reasons.map((reason) => {
      const k = CODE[reason];
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
