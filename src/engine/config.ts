/** Configuration of the kpromoted engines (rfc-v1 and rfc-v1-fixed): the patch's constants as tunables. */
import { UsageError } from '../errors.js';
import type { Topology } from './topology.js';

/** Tunables of the kpromoted RFC engine; defaults are the patch's constants. */
export interface RfcV1Config {
  /** CONFIG_HZ. */
  readonly hz: number;
  /** KPROMOTED_FREQ_WINDOW in ms. */
  readonly window_ms: number;
  /** KPRMOTED_FREQ_THRESHOLD (sic). */
  readonly threshold: number;
  /** KPROMOTE_DELAY in ms: the daemon period. */
  readonly period_ms: number;
  /** hot_node for NUMA_NO_NODE accesses (hard-coded 1 in the patch). */
  readonly default_node: number;
  /** KPROMOTED_HASH_ORDER. */
  readonly hash_order: number;
  readonly topology: Topology;
  /** kswapd-style demotion of budgeted top-tier nodes (kpromo's model, not in the patch); default off. */
  readonly demotion?: boolean;
  /** Count the accesses of every slow-tier LRU page (RfcV1Engine.page_counts(), for bounds); default off. */
  readonly page_counts?: boolean;
  /**
   * Keep what only the analysis metrics read (--analysis, compare, sweep): which promoted pages were accessed after they
   * moved (RfcV1Engine.wasted_promotions()) and each bucket's chain length (RfcV1Engine.peak's longest chain). Default
   * off: a promoted page then counts as accessed at once, and the buckets hold their heads only (half the table). That
   * changes no counter and no event, and spares the hot loop a trip through a promoted page's state at its next
   * access and a larger table's cache misses (see RfcV1Engine).
   */
  readonly analysis_metrics?: boolean;
}

/**
 * `s` for an engine whose analysis metrics are read (`replay --analysis`, compare and sweep lanes, the bench's analysis
 * tasks): RfcV1Config.analysis_metrics on, and the page counts of the bounds too when `pageCounts`.
 */
export function analysisSettings<S extends { readonly rfc: RfcV1Config }>(s: S, pageCounts: boolean): S {
  return { ...s, rfc: { ...s.rfc, analysis_metrics: true, ...(pageCounts ? { page_counts: true } : {}) } };
}

/** The patch's constants (include/linux/kpromoted.h) and the kernel's default HZ. */
export const RFC_V1_DEFAULTS = {
  hz: 250,
  window_ms: 5000,
  threshold: 2,
  period_ms: 1000,
  default_node: 1,
  hash_order: 16,
} as const;

/** Largest hash order accepted: 2^24 bucket heads already take 64 MiB. */
export const MAX_HASH_ORDER = 24;

function int(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new UsageError(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
}

/** Checks every tunable, quoting the bad value; returns the config unchanged. */
export function validateRfcV1Config(cfg: RfcV1Config): RfcV1Config {
  int('--hz', cfg.hz, 1, 100000);
  // msecs_to_jiffies() takes an unsigned int and returns MAX_JIFFY_OFFSET for (int)m < 0: keep m below 2^31.
  int('--window', cfg.window_ms, 0, 0x7fffffff);
  int('--period', cfg.period_ms, 1, 0x7fffffff);
  int('--threshold', cfg.threshold, -0x80000000, 0x7fffffff);
  int('--default-node', cfg.default_node, 0, 0x7fffffff);
  int('--hash-order', cfg.hash_order, 1, MAX_HASH_ORDER);
  return cfg;
}
