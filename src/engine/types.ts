/** Interfaces shared by every promotion engine and the adapters that drive them. */

/** Anything that takes access records one at a time, in trace order. */
export interface AccessSink {
  /** kpromoted_record_access(pfn, nid, src, now): pfn and time are integers in [0, 2^53). */
  record_access(pfn: number, nid: number, src: number, time: number): void;
}

/** A sink that can also take records in bulk (typed arrays, first `n` entries), for one read feeding many engines. */
export interface BatchSink extends AccessSink {
  record_batch?(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void;
  /**
   * A sink that can fall behind (a migrate pass cut in slices, run/replay.ts) returns a promise while it is behind:
   * readers await it between chunks, so they read no further until it caught up; it rejects to abandon the read.
   * Null (or no method): go on.
   */
  settle?(): Promise<void> | null;
}

/** What happened to one record examined by a daemon pass (SPEC 5, `--events`). */
export type Outcome =
  | 'promoted'
  | 'failed'
  | 'dropped_cold_old'
  | 'dropped_not_accessed'
  | 'dropped_right_node'
  | 'dropped_non_lru'
  | 'dropped_offline';

/** Outcomes in a fixed order; `OUTCOMES[code]` names an outcome code. */
export const OUTCOMES: readonly Outcome[] = [
  'promoted',
  'failed',
  'dropped_cold_old',
  'dropped_not_accessed',
  'dropped_right_node',
  'dropped_non_lru',
  'dropped_offline',
];

/** Numeric outcome codes, indices into OUTCOMES. */
export const enum OutcomeCode {
  Promoted = 0,
  Failed = 1,
  DroppedColdOld = 2,
  DroppedNotAccessed = 3,
  DroppedRightNode = 4,
  DroppedNonLru = 5,
  DroppedOffline = 6,
}

/** Receives what a migrate pass does, in pass order (daemons ascending, buckets ascending). */
export interface PassObserver {
  /**
   * True when what the observer makes of a pass does not depend on the order of its events (counts by node and
   * outcome, histograms): the engine may then examine a pass's records in any order (rfc-v1's slab-order pass),
   * and give each event as the record is examined, before the pass's end (and its demotions), not buffered per
   * daemon. Absent or false: events come in the kernel's order (an events file).
   */
  readonly anyOrder?: boolean;
  /**
   * False when the observer never reads the accesses per target node since the last pass (rfc-v1's
   * take_interval_accesses(): timeline rows): the engine then does not count them. Absent or true: they are
   * counted at every access.
   */
  readonly intervals?: boolean;
  /**
   * One record examined by daemon `node` at jiffies `time`: page `pfn` on node `from`, hot_node `to`.
   * `tracked_since` is the time of the access that created the record (engines that know it pass it).
   */
  examined(
    time: number,
    node: number,
    pfn: number,
    from: number,
    to: number,
    outcome: OutcomeCode,
    tracked_since?: number,
  ): void;
  /**
   * `count` records of daemon `node` examined at jiffies `time` whose migration failed again, given at once (their
   * pfns not given), for an observer that takes events in any order. Optional: with it, rfc-v1 need not walk records
   * that failed and were not accessed since (their next outcome is known), once no migration's order can show.
   */
  examinedFailed?(time: number, node: number, count: number): void;
  /** A pass finished at jiffies `time` (all daemons ran). Optional. */
  passEnd?(time: number): void;
}

/** One counter: kernel name and value. */
export interface Counter {
  readonly name: string;
  readonly value: number;
}

/**
 * Why an access was ignored without a counter (SPEC 2.2 step 3): in no range, a non-LRU range, a ZONE_DEVICE
 * range; pghot only: a lower-tier page in a memory section without a hot map.
 */
export type IgnoredReason = 'no_range' | 'nonlru' | 'device' | 'no_hot_map';

/** Accesses ignored for one reason. */
export interface IgnoredAccesses {
  readonly reason: IgnoredReason;
  /** How many accesses. */
  readonly accesses: number;
  /** accesses / all accesses replayed (0 when none were). */
  readonly share: number;
  /** Lowest and highest pfn among them (null when none). */
  readonly lowest_pfn: number | null;
  readonly highest_pfn: number | null;
}

/** Facts about a finished (or interrupted) replay beyond the counters. */
export interface ReplaySummary {
  /** Access records applied. */
  readonly records: number;
  /** Migrate passes run (each pass runs every daemon once). */
  readonly passes: number;
  /** Records in the hash table after the last pass. */
  readonly tracked: number;
  /** Records whose hot_node has no daemon (no CPUs): no pass will ever examine them. By hot_node. */
  readonly unexamined: ReadonlyArray<{
    readonly hot_node: number;
    readonly records: number;
    /** Why no daemon will take them, when it is not rfc-v1's "hot_node has no daemon" (pghot: stranded READY records). */
    readonly reason?: string;
  }>;
  /** First and last pass times in jiffies (null when no pass ran). */
  readonly first_pass: number | null;
  readonly last_pass: number | null;
  /** Free pages left on each budgeted node. */
  readonly free_pages: ReadonlyArray<{ readonly node: number; readonly free_pages: number }>;
  /** Accesses ignored with no counter of their own, one entry per reason the engine has (no_range, nonlru, device[, no_hot_map]). */
  readonly ignored: readonly IgnoredAccesses[];
}

/** A promotion engine: record accesses, then finish() to run the final pass. */
export interface Engine extends AccessSink {
  /** Engine name as given to `--engine`. */
  readonly name: string;
  /** Runs the final pass (SPEC 2.3). Call once, after the last record. */
  finish(): void;
  /** Counters in vmstat order. */
  counters(): Counter[];
  /** Summary facts. */
  summary(): ReplaySummary;
  /**
   * The time at or after which the next record given runs the passes due first (-Infinity before the first record).
   * A sink fed after the engine cuts batches there (the bounds counter in test/analysis/bounds.test.ts).
   */
  next_pass_time?(): number;
}
