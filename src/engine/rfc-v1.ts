/**
 * The kpromoted engine of "[RFC PATCH 2/4] mm: kpromoted" (March 2025), SPEC section 2.
 * `rfc-v1` is the patch exactly as posted; `rfc-v1-fixed` changes only what its comments say it meant
 * (the window test's operand order, and a new record counting its first access once).
 *
 * How it is fast while staying bit-exact (kpromo skips what the kernel does that changes no outcome):
 * - Classify by range first (RangeTable's granule table): an access to a top-tier page that never moved,
 *   or to a pfn in no range or in a slow-tier nonlru/device range, needs no per-page lookup.
 * - One small integer of state per page of the slow-tier LRU ranges (PageState): at home, tracked, or
 *   moved to node n (and accessed since). A tracked page's record is found in its hash chain, as the kernel finds it
 *   (kpromoted_lookup()): only for a page whose state says tracked.
 * - record_batch() is the hot loop: one function, locals, counters flushed per batch and before passes.
 * - One walk of the occupied buckets per pass for all daemons (see pass()); a pass whose order cannot show walks
 *   the slab in order instead (passSliceSlab()).
 * - Passes can be cut in slices (sliceRecords) so that a driver turns the event loop during a long one (Ctrl-C).
 */
import { C, DEMOTION_COUNTER_NAMES, RFC_V1_COUNTER_NAMES } from './counters.js';
import { Kswapd } from './demotion.js';
import { Nodes } from './nodes.js';
import { BucketSet } from './bucket-set.js';
import { PassClock } from './pass-clock.js';
import { validateRfcV1Config, type RfcV1Config } from './config.js';
import { ColdQueue } from './cold-queue.js';
import { hash_64 } from './hash.js';
import { IgnoredTally } from './ignored.js';
import { msecs_to_jiffies } from './jiffies.js';
import type { TallySnapshot } from './page-tally.js';
import { PageState, ST_HOME, ST_MOVED, ST_SEEN, ST_TRACKED, movedNode, movedState, type StateRegion } from './page-state.js';
import { GC_INDEX, GC_NONE, GC_SPARE, granuleCodes, KIND_DEVICE, KIND_LRU, KIND_NONE, KIND_NONLRU, RangeTable } from './placement.js';
import { SlotChains } from './slot-chains.js';
import { granuleIndex, TH_END, TH_HITS, TH_SRC_OR, TH_SRC_SUM, TH_UNPLACED, topHits, topHitsOut } from './top-hits.js';
import { OutcomeCode, type Counter, type Engine, type PassObserver, type ReplaySummary } from './types.js';

/** Which reading of the patch an RfcV1Engine models. */
export type RfcVariant = 'rfc-v1' | 'rfc-v1-fixed';

/** The slab's columns before the constructor sets them (see RfcV1Engine.slab). */
const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_I16 = new Int16Array(0);

/** Records record_access() collects before applying them in one record_batch(). */
const BUFFERED = 256;

/**
 * struct page_hotness_info, 32 bytes a record (half a cache line): a Float64Array slot of STRIDE numbers, the pfn and
 * last_update, whose last two numbers hold four 32-bit fields (an Int32Array over the same buffer, ISTRIDE a slot).
 * The time that made a record (tracked_since) and the node a moved page lives on (placed) are columns of their own,
 * read only for events and for the records of moved pages. At 64 bytes (all eight in the Float64Array), a million
 * records alive in one pass faulted in twice the pages, at about 10 µs a page on this VM.
 */
const STRIDE = 4;
const ISTRIDE = 2 * STRIDE;
/**
 * Record slots in the first slab (128 KiB: a small replay's records fit, and V8 sees no large allocation to collect
 * garbage for), and in the second: SLAB_RESERVE slots at once (8 MiB of address space, of which the OS backs only the
 * pages records touch; the bench's traces keep 6 k-130 k records alive). Grown by doubling from the first, the old and
 * the new slab were resident together at every step, and each freed copy raised glibc's mmap threshold, so that later
 * buffers stayed in heaps it keeps: the 2 TiB replay peaked at 94-102 MiB, 91-96 MiB then.
 * Past SLAB_RESERVE a slab grows SLAB_GROWTH times (growSlab()): a copy touches every page of the part it fills, and
 * on this VM a page's first touch costs about 10 µs (a fault), so that doubling to a million 64-byte records faulted in
 * 112 MiB, eightfold 80 MiB (32-byte records now: 40 MiB); the pages past the records are address space only.
 * A reserve of 2^21 slots (64 MiB, and its columns) spared a one-pass promotion of a million pages the copy out of
 * the reserve, 2.0-2.2 k of its 26 k page faults, but V8 counts address space given to an ArrayBuffer as external
 * memory: every replay that outgrew the first slab ran two more collections for it (a mark-compact of 2-5 ms). Not
 * kept; a test gives the engine its own reserve (the constructor's slabReserve).
 */
const SLAB_FIRST = 4096;
const SLAB_RESERVE = 1 << 18;
const SLAB_GROWTH = 8;
const F_PFN = 0;
const F_LAST_UPDATE = 1;
const I_FREQUENCY = 4; // int frequency
const I_HOT_NODE = 5;
const I_NEXT = 6; // hlist next (slot) or -1; next free slot while free; lazy passes: LF_*
const I_INDEX = 7; // the page's PageState index (hashed page state: found again when its table doubles, reindex()); -1 once untrack() freed the slot
/** The record layout, for tests that walk the engine's chains (test/engine/rfc-v1-differential.test.ts). */
export const RECORD_LAYOUT = { STRIDE, ISTRIDE, F_PFN, I_NEXT } as const;

// Class of each range (RangeTable order): what an access to it needs.
/** Top-tier range, pages never move (no --demotion): record_toptier, no per-page lookup. */
const CLS_TOP = 0;
/** No per-page state and never tracked: a slow-tier nonlru or device range. */
const CLS_IGNORE = 1;
/** Slow-tier LRU range: per-page state (and counts, when asked). */
const CLS_SLOW = 2;
/** Top-tier range with --demotion: per-page state (kswapd may move its pages). */
const CLS_TOP_STATE = 3;

/**
 * The two-phase hot loop (record_batch): records per block. Phase 1 counts the block's accesses to pages on a
 * top-tier node that need nothing else (topHot), reading one bit a page; phase 2 applies the block's other
 * records in order, as the one-phase loop does.
 */
const BLOCK = 256;

/** Chains passSliceInterleaved() walks at a time. */
const INTERLEAVE = 16;

/** Indexes phase 1 lists for page_counts() before flushCounts() counts them. */
const CBUF = 1 << 16;

/**
 * Lookups of tracked pages' records by chain walk (lookup()) are judged in windows of WALK_WINDOW: when a window's walks
 * took more than WALK_STEPS records a lookup on average, the page state keeps the record slots from then on
 * (enableSlots()), and a lookup costs one load however long the chains grow.
 */
const WALK_WINDOW = 1024;
const WALK_STEPS = 4;
/** enableSlots(): slot chains instead of a slot column over a dense page state of this many pages or more (16 MiB of column)... */
const CHAINS_MIN_PAGES = 1 << 22;
/** ...holding fewer records than one in CHAINS_SPARSE pages. */
const CHAINS_SPARSE = 8;
/**
 * Lazy passes (passSliceLazy): a live record's I_NEXT then says where it is, as the chains are no longer walked:
 * on the list of records to examine at the next pass (accessed or made since the last one), parked (its migration
 * failed, and it was not accessed since), or idle (its hot node has no daemon: no pass examines it).
 */
const LF_ACTIVE = -2;
const LF_PARKED = -3;
const LF_IDLE = -4;
/** Records a lazy pass loads at a time before it examines them (their cache misses overlap). */
const LAZY_GATHER = 64;

/** Per-page access counts of the slow-tier LRU pages (RfcV1Config.page_counts), for the fast-tier share bounds (src/analysis/bounds.ts). */
export interface PageCounts {
  /** Accesses to pfns whose home node (the topology's ranges, before any migration) is top tier: T0. */
  readonly home_toptier: number;
  /** Slow-tier LRU pages with at least one access. */
  readonly pages: number;
  /** Their accesses: the sum of forEach()'s counts. */
  readonly accesses: number;
  /**
   * Calls f(pfn, accesses) once for every slow-tier LRU page (by the topology's ranges) accessed at least
   * once; accesses counts every access to it, wherever it lived at the time. Order: ascending pfn for
   * dense page state, first-access order for hashed page state.
   */
  forEach(f: (pfn: number, accesses: number) => void): void;
}

/** Records queued while a pass is part way, as columns. */
interface RecordQueue {
  pfn: Float64Array;
  nid: Int32Array;
  src: Int32Array;
  time: Float64Array;
}

/** The rfc-v1 / rfc-v1-fixed engine. Takes one access at a time; passes run on the running-maximum clock. */
export class RfcV1Engine implements Engine {
  readonly name: RfcVariant;
  /** The observer (`observer`). */
  private passObserver: PassObserver | null = null;
  /**
   * An observer is set that reads the accesses per target node since the last pass (PassObserver.intervals). Kept
   * when the observer is set, and read by record_batch() on every call: a load of the observer's field there ran
   * only with an observer, so the code V8 compiled during the prime (which has none) was thrown away at a replay's
   * first record when it had one (--analysis, --events).
   */
  private observesIntervals = false;

  /** Optional observer of migrate passes (events, timeline). Set before the first record. */
  get observer(): PassObserver | null {
    return this.passObserver;
  }

  set observer(o: PassObserver | null) {
    this.passObserver = o;
    this.observesIntervals = o !== null && o.intervals !== false;
  }

  private readonly c = new Float64Array(C.COUNT);
  private readonly fixed: boolean;
  private readonly window: number; // msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)
  private readonly cold: number; // 2 * msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)
  private readonly period: number; // msecs_to_jiffies(KPROMOTE_DELAY)
  private readonly threshold: number;
  private readonly defaultNode: number;
  private readonly order: number;

  private readonly ranges: RangeTable;
  /** Class of each range (CLS_*), and its index among PageState's regions (-1 for none). */
  private readonly rclass: Uint8Array;
  private readonly rregion: Int32Array;
  private readonly nodes: Nodes;
  /** Index into the interval arrays for a hot node in [0, nodes.size): itself with a daemon, else nodes.size. */
  private readonly targetOf: Int32Array;

  /** Per-page state of the slow-tier LRU ranges (and top-tier ranges with --demotion). */
  private readonly pages: PageState;
  /**
   * The two-phase loop's page index of a pfn of range r: rmul[r] * pfn + radd[r]. A slow-tier LRU range gives
   * the page's dense index; a top-tier range (no state without --demotion) gives the spare index, whose
   * topHot bit is set: a top-tier access whatever the range.
   */
  private readonly rmul: Float64Array;
  private readonly radd: Float64Array;
  /**
   * The same index in integer arithmetic, per granule of the range table, for pfns below lo + gspan: with d = pfn - lo
   * and c = gcode[d >>> gshift], the index is (d & -(c & 1)) + (c >> 1): c = 2 * (lo + radd) + 1 in a granule of a
   * slow-tier LRU range, 2 * spare in one of a top-tier range, and -2 (index -1: the range table decides) in any other
   * (no range, a slow-tier nonlru/device range, ranges meeting). gspan is 0 when the regions or offsets do not fit
   * (no granule code is used then). On the 8 k-page trace the range lookup was 13 % of the engine.
   */
  private readonly gcode: Int32Array;
  private readonly glo: number;
  private readonly gspan: number;
  private readonly gshift: number;
  /**
   * Dense page state only: one bit per index, set while the page lives on a top-tier node it moved to and was
   * accessed there since (state ST_MOVED + 2 * top-tier node + 1; without analysis metrics a promoted page counts as
   * accessed as it moves, see promotedAccessed), and for the spare index. An access to such a
   * page only counts (record_toptier); phase 1 reads this bit (256 KiB for 8 GiB of pages, cache-resident)
   * instead of the page's state byte (a cache miss, about 30 ns on this kind of machine).
   */
  private readonly topHot: Uint8Array;
  /** Phase 1's other records of a block: their positions in the batch and their page indexes. */
  private readonly slowAt = new Int32Array(BLOCK);
  private readonly slowIdx = new Int32Array(BLOCK);
  /** The target (intervalAccesses' index) of an access by nid -1, 0, 1 and 2: phase 1's lanes (record_batch()). */
  private readonly laneTarget = new Int32Array(4);
  /** Page indexes of the accesses phase 1 listed for page_counts(), the first `cn` (flushCounts()). */
  private readonly cbuf: Int32Array;
  private cn = 0;
  /**
   * The slab and its columns (growSlab() replaces them). Each is set twice by the constructor, an empty column first:
   * V8 takes a field that only its object's creation wrote for a constant, and compiled code that relied on that was
   * thrown away at the first growSlab() (`--trace-opt`: "Compilation aborted due to invalid dependency:
   * FieldConstnessDependency"), in the prime (run/prime.ts) after `recordSlow()` was compiled, so a replay's first
   * records ran in slower code while V8 compiled it again.
   */
  private slab = EMPTY_F64;
  private slabI = EMPTY_I32;
  /** Each slot's tracked_since: the time of the access that made its record. */
  private since = EMPTY_F64;
  /**
   * Each slot's placed plus one: the node its page was migrated to in this replay, or 0 for none (then the pfn ranges
   * say); read while placedLive > 0. Zero for none, so that a new column needs no fill: its pages stay address space
   * until a record with a placed node is written there.
   */
  private placedOf = EMPTY_I16;
  /** Live records whose placed is a node. */
  private placedLive = 0;
  /** Tracked pages' slots by page index, when a slot column would be large and sparse (enableSlots()). */
  private chains: SlotChains | null = null;
  private readonly indexOfSlot = (slot: number): number => this.slabI[slot * ISTRIDE + I_INDEX]!;
  private slabTop = 0; // slots ever used
  private freeSlot = -1;
  /**
   * page_hotness_hash[]: buckets[bs * b] is the first slot of bucket b (-1 when empty); with analysis metrics (bs = 2)
   * buckets[2 * b + 1] is its chain length, in the head's cache line (a new record touches both). Without them (bs = 1)
   * the table holds the heads only, half the bytes: the hot loop's new records miss the cache less often (the engine
   * alone on the bench's 10 M-record trace: 276 against 290 ms, medians of 5 alternating runs, 2026-12-02 16:45).
   */
  private readonly buckets: Int32Array;
  /** The stride of a bucket in `buckets`: 2 with analysis metrics (its chain length beside its head), else 1. Set with promotedAccessed, from the same flag. */
  private readonly bs: number;
  private readonly occupied: BucketSet;
  private longestChain = 0;
  /** Lookups in this window of lookup() and the records they walked (WALK_WINDOW). */
  private walkLookups = 0;
  private walkSteps = 0;
  private tracked = 0;
  private peakTracked = 0;
  /** Accesses since the last pass by target node (hot_node if it has a daemon, else the last slot), and top-tier hits; counted while an observer that reads them is set (PassObserver.intervals). */
  private readonly intervalAccesses: Float64Array;
  private readonly intervalToptier: Float64Array;
  /**
   * Of those accesses, the ones in no range or in a slow-tier nonlru or device range, and the first accesses of
   * slow-tier LRU pages (state ST_HOME): the rest are the hits of the instant bound (take_interval_instant_hits()).
   */
  private readonly intervalIgnored: Float64Array;
  private readonly intervalFirst: Float64Array;
  /** Instant-bound hits of the intervals taken by take_interval_accesses() and not yet by take_interval_instant_hits(). */
  private readonly intervalHits: Float64Array;
  /** Records whose hot_node has a daemon: when 0 a pass can do nothing and is skipped in O(1). */
  private examinable = 0;
  /** Records whose hot_node has no daemon, by hot_node (no pass ever removes them): summary() reads it in O(nodes). */
  private readonly unexaminedBy = new Map<number, number>();
  /** Pages moved by a promotion and not accessed since. */
  private unaccessedMoved = 0;
  /**
   * 1 when a promoted page counts as accessed on its new node at once (no RfcV1Config.analysis_metrics): the state
   * that says it was not accessed since it moved is then never written, and wasted_promotions() refuses. 0 otherwise.
   * Either way the outcome is the same: the first access after a promotion finds the page on a top-tier node, so it
   * only counts (record_toptier), and the first access bit decides nothing but wasted promotions.
   */
  private readonly promotedAccessed: number;
  /** Sum of the gather loop's loads (kept so that the loads are not optimized away). */
  private gathered = 0;
  /** Promoted pages demoted before any access since their promotion. */
  private wastedDemoted = 0;
  private homeToptier = 0;
  /** Page counting handed to the caller (pauseCounts()), before the engine counted any access. */
  private countsPaused = false;
  private countsPristine = false;
  /** Accesses ignored by SPEC 2.2 step 3 (no counter in the patch). */
  private readonly ignored = new IgnoredTally();

  /** --demotion: kswapd of the budgeted top-tier nodes. */
  private readonly kswapd: Kswapd | null;

  private records = 0;
  private readonly hz_: number;
  private readonly clock: PassClock;
  private pending: number[][] = []; // per daemon, (pfn, from, outcome, tracked_since) of the current pass
  /** Records record_access() buffered (the first `buffered` of each column), applied by drain(). */
  private readonly one = { pfn: new Float64Array(BUFFERED), nid: new Int32Array(BUFFERED), src: new Int32Array(BUFFERED), time: new Float64Array(BUFFERED) };
  private buffered = 0;

  /**
   * Most records a migrate pass walks before it stops part way (at a bucket's end), so that a driver can turn
   * the event loop (Ctrl-C) in a pass over millions of records. Infinity (the default): passes never stop.
   * While a pass is part way (`suspended`), records given to the engine wait in a queue, in order; resume()
   * goes on. The outcome is the same record for record and event for event (test/engine/rfc-v1-differential.test.ts,
   * "passes cut in slices").
   */
  sliceRecords = Infinity;
  /** The pass part way: its time, and the next bucket it walks (or the next slot, in slab order). */
  // NaN, not 0: a jiffies value is no small integer, and a field that starts as one changes its representation
  // (and the engine's hidden class) at the first pass, which throws away code compiled for the old one (run/prime.ts).
  private passNow = Number.NaN;
  private passBucket = -1;
  /** The pass walks the slab in order (passSliceSlab), not the buckets. */
  private passBySlab = false;
  /** The pass walks the buckets' chains interleaved (passSliceInterleaved). */
  private passInterleaved = false;
  /** passSliceInterleaved()'s buckets, the next record of each chain, and the record before it (-1: the head). */
  private readonly ilBucket = new Int32Array(INTERLEAVE);
  private readonly ilSlot = new Int32Array(INTERLEAVE);
  private readonly ilPrev = new Int32Array(INTERLEAVE);
  /** Records the pass walked so far, and the records in the table when it began. */
  private passWalked = 0;
  private passRecords = 0;
  /** Source node of the record examine() looked at last. */
  private examinedFrom = -1;
  /** Passes that walked the slab in order, the chains interleaved, and lazily (diagnostics for tests). */
  passesBySlab = 0;
  passesInterleaved = 0;
  passesLazy = 0;
  /**
   * Lazy passes (passSliceLazy()): once no migration's order can show and none can succeed where one failed (every
   * daemon node is top tier, no kswapd: a full budget stays full), a record whose migration failed fails again at
   * every pass until it is accessed or its last_update gets older than cold; so passes examine only the records
   * accessed or made since the last pass, count the parked ones as failing again, and drop the parked ones that got
   * cold, found by last_update in a ColdQueue. Records are then found by their slots beside the page state, never in
   * the chains (whose heads are not kept); the chains' lengths are. From its first pass on, for good.
   */
  private lazy = false;
  /** Every daemon node is top tier and there is no kswapd: lazy passes may start (with the rest of canGoLazy()). */
  private readonly lazyOk: boolean;
  /** The records to examine at the next pass (LF_ACTIVE), the first activeN. */
  private active = new Int32Array(1024);
  private activeN = 0;
  /** The parked records, by hot node, and in all. */
  private readonly parkedBy: Float64Array;
  private parked = 0;
  /** The parked records by last_update (entries of records no longer parked stay until taken). */
  private readonly coldQueue: ColdQueue;
  /** Where a lazy pass part way stands: 0 at its start, 1 dropping the cold records (at takenAt), 2 walking the list (at activeAt). */
  private lazyStage = 0;
  private takenAt = 0;
  private activeAt = 0;
  /** Blocks the two-phase loop took, and their records phase 1 counted alone (diagnostics for tests). */
  blocksTwoPhase = 0;
  hitsTwoPhase = 0;
  /** Every daemon node has memory and no budget: no migration can fail. */
  private readonly migrationsSucceed: boolean;
  /** Records given while a pass was part way, in order (columns, `queued` long). */
  private queue: RecordQueue | null = null;
  private queued = 0;
  /**
   * The queue's columns of the last resume(), emptied, for the next queue: each new one faulted in its pages again
   * (up to 384 KiB a batch, at about 12 µs a page on this VM). Not the queue itself: resume() applies the old queue's
   * records while the pass may stop again and queue newer ones.
   */
  private spareQueue: RecordQueue | null = null;
  /** finish() was called while a pass was part way: the final pass runs once the queue is applied. */
  private finishWanted = false;

  /**
   * An engine over `cfg`; `variant` picks the window test (as posted, or as intended). `slabReserve` is the second
   * slab's slots (tests give a small one, so that a few records take the slab through every growth), `slabFirst` the
   * first's (the prime gives a small one, so that its slab grows before V8 compiles recordSlow(): run/prime.ts).
   */
  constructor(
    cfg: RfcV1Config,
    variant: RfcVariant = 'rfc-v1',
    private readonly slabReserve = SLAB_RESERVE,
    slabFirst = SLAB_FIRST,
  ) {
    validateRfcV1Config(cfg);
    this.slab = new Float64Array(STRIDE * slabFirst);
    this.slabI = new Int32Array(this.slab.buffer);
    this.since = new Float64Array(slabFirst);
    this.placedOf = new Int16Array(slabFirst);
    this.name = variant;
    this.fixed = variant === 'rfc-v1-fixed';
    this.hz_ = cfg.hz;
    this.window = msecs_to_jiffies(cfg.window_ms, cfg.hz);
    this.cold = 2 * this.window;
    this.period = msecs_to_jiffies(cfg.period_ms, cfg.hz);
    this.clock = new PassClock(this.period, {
      pass: (now) => this.pass(now),
      resumePass: () => (this.lazy ? this.passSliceLazy() : this.passBySlab ? this.passSliceSlab() : this.passInterleaved ? this.passSliceInterleaved() : this.passSlice()),
      // No record any daemon would look at: passes change nothing.
      idle: () => this.examinable === 0,
      // The first skipped pass closes the accesses since the last pass for an observer; the rest had none.
      skipped: (now) => this.passObserver?.passEnd?.(now),
    });
    this.threshold = cfg.threshold;
    this.promotedAccessed = cfg.analysis_metrics === true ? 0 : 1;
    this.defaultNode = cfg.default_node;
    this.order = cfg.hash_order;
    this.bs = cfg.analysis_metrics === true ? 2 : 1;
    this.buckets = emptyBuckets(cfg.hash_order, this.bs);
    this.occupied = new BucketSet(1 << cfg.hash_order);

    const nodes = (this.nodes = new Nodes(cfg.topology));
    this.kswapd = cfg.demotion === true ? new Kswapd(nodes) : null;
    this.intervalAccesses = new Float64Array(nodes.size + 1);
    this.intervalToptier = new Float64Array(nodes.size + 1);
    this.intervalIgnored = new Float64Array(nodes.size + 1);
    this.intervalFirst = new Float64Array(nodes.size + 1);
    this.intervalHits = new Float64Array(nodes.size + 1);
    let succeed = true;
    for (let id = 0; id < nodes.size; id++) if (nodes.daemon[id] === 1 && (nodes.hasMemory[id] !== 1 || nodes.budgeted[id] === 1)) succeed = false;
    this.migrationsSucceed = succeed;
    let allTop = true;
    for (const d of nodes.daemonNodes) if (nodes.toptier[d] !== 1) allTop = false;
    this.lazyOk = allTop && cfg.demotion !== true;
    this.parkedBy = new Float64Array(nodes.size);
    this.coldQueue = new ColdQueue(Math.max(1, this.period));
    this.targetOf = new Int32Array(nodes.size);
    for (let id = 0; id < nodes.size; id++) this.targetOf[id] = nodes.daemon[id] === 1 ? id : nodes.size;
    for (let k = 0; k < 4; k++) this.laneTarget[k] = this.targetIndex(k - 1);

    const ranges = (this.ranges = new RangeTable(cfg.topology));
    this.rclass = new Uint8Array(ranges.count);
    this.rregion = new Int32Array(ranges.count).fill(-1);
    const regions: StateRegion[] = [];
    for (let r = 0; r < ranges.count; r++) {
      const top = nodes.toptier[ranges.nids[r]!] === 1;
      let cls: number;
      if (top) cls = this.kswapd !== null ? CLS_TOP_STATE : CLS_TOP;
      else cls = ranges.kinds[r] === KIND_LRU ? CLS_SLOW : CLS_IGNORE;
      this.rclass[r] = cls;
      if (cls === CLS_SLOW || cls === CLS_TOP_STATE) {
        this.rregion[r] = regions.length;
        regions.push({ start: ranges.starts[r]!, end: ranges.ends[r]!, slow: cls === CLS_SLOW });
      }
    }
    const pages = (this.pages = new PageState(regions, nodes.size - 1, cfg.page_counts === true));
    if (!pages.dense) pages.onRehash = () => this.reindex();

    // The two-phase loop's tables (used when page state is dense and one byte a page).
    this.rmul = new Float64Array(ranges.count);
    this.radd = new Float64Array(ranges.count).fill(pages.spare);
    for (let r = 0; r < ranges.count; r++) {
      if (this.rclass[r] === CLS_SLOW && pages.dense) {
        this.rmul[r] = 1;
        this.radd[r] = pages.bases[this.rregion[r]!]! - ranges.starts[r]!;
      }
    }
    const codes = granuleCodes(ranges, Uint8Array.from(this.rclass, (c) => (c === CLS_SLOW ? GC_INDEX : c === CLS_TOP ? GC_SPARE : GC_NONE)), this.radd, pages.spare);
    this.gcode = codes.gcode;
    this.glo = codes.lo;
    this.gspan = pages.dense ? codes.span : 0; // hashed page state: the range table decides
    this.gshift = codes.shift;
    this.topHot = new Uint8Array(pages.dense ? (pages.spare >> 3) + 1 : 0);
    this.cbuf = new Int32Array(pages.dense && pages.counts !== null ? CBUF : 0);
    if (pages.dense) this.topHot[pages.spare >> 3]! |= 1 << (pages.spare & 7);
  }

  // kpromoted_record_access(pfn, nid, src, now), after running the passes due before `time`.
  // Buffered: up to BUFFERED records wait in `one` and go through record_batch() together; every method
  // that reads the engine's state applies them first (drain()), so no caller can tell.
  record_access(pfn: number, nid: number, src: number, time: number): void {
    const one = this.one;
    const k = this.buffered;
    one.pfn[k] = pfn;
    one.nid[k] = nid;
    one.src[k] = src;
    one.time[k] = time;
    if ((this.buffered = k + 1) === BUFFERED) this.drain();
  }

  /**
   * Counts the accesses phase 1 listed in cbuf (page_counts()). A loop of nothing but independent increments: their
   * cache misses overlap, where the same increments in phase 1 stalled it (measured no faster than the one-phase loop).
   */
  private flushCounts(): void {
    const n = this.cn;
    if (n === 0) return;
    this.cn = 0;
    this.pages.countIndexes(this.cbuf, n);
  }

  /**
   * Hands page counting (page_counts) to the caller: from now on the engine counts no access, and the caller counts
   * every record it gives the engine in PageTallies (page-tally.ts), adds them with addCounts(), then calls
   * resumeCounts() before page_counts() is read. A block read does so to count on its parse thread (trace/parallel.ts).
   * False, and nothing changes, unless the engine counts in its two-phase loop with the tallies' layout: dense
   * one-byte page state, no --demotion (whose top-tier ranges have page state too).
   */
  pauseCounts(): boolean {
    const pages = this.pages;
    if (pages.counts === null || !pages.dense || this.kswapd !== null || !(pages.state instanceof Uint8Array)) return false;
    this.drain();
    this.flushCounts();
    this.countsPaused = true;
    this.countsPristine = this.records === 0;
    return true;
  }

  /**
   * Adds a tally's counts (pauseCounts()). The first tally added to an engine paused before its first record becomes
   * its counts: `t.counts` is not to be used after.
   */
  addCounts(t: TallySnapshot): void {
    this.drain();
    this.pages.addCounts(t.counts, t.carries, this.countsPristine);
    this.countsPristine = false;
    this.homeToptier += t.homeTop;
  }

  /** The engine counts again (pauseCounts()). */
  resumeCounts(): void {
    this.drain();
    // Records queued behind a pass part way were given while paused (and counted by the caller).
    if (this.clock.suspended) throw new Error('internal: page counting resumed while records wait for a migrate pass');
    this.countsPaused = false;
  }

  /** Applies the records record_access() buffered. */
  private drain(): void {
    const n = this.buffered;
    if (n === 0) return;
    this.buffered = 0;
    const one = this.one;
    this.record_batch(one.pfn, one.nid, one.src, one.time, n);
  }

  /**
   * kpromoted_record_access() for the first `n` records of typed arrays: the hot loop. Runs the passes due
   * before each record (SPEC 2.3), then applies it (SPEC 2.2). Counters live in locals and are flushed to
   * the counter array before every pass and at the end, so a pass and its observer see exact counters.
   */
  record_batch(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, n: number): void {
    if (this.buffered > 0 && P !== this.one.pfn) this.drain(); // records given one at a time come first
    if (this.clock.suspended) {
      // A pass is part way (maybe since the drain just above): the records wait in order.
      this.enqueue(P, N, S, T, 0, n);
      return;
    }
    const c = this.c;
    const clock = this.clock;
    const nodes = this.nodes;
    const size = nodes.size;
    const kswapd = this.kswapd;
    // Range classification: the granule table, then the range's class.
    const rt = this.ranges;
    const rstart = rt.starts;
    const rnid = rt.nids;
    const rkind = rt.kinds;
    const rclass = this.rclass;
    const rregion = this.rregion;
    const pages = this.pages;
    const dense = pages.dense;
    const bases = pages.bases;
    let counts = this.countsPaused ? null : pages.counts;
    const iv = this.observesIntervals;
    const ia = this.intervalAccesses;
    const it = this.intervalToptier;
    const ig = this.intervalIgnored;
    const i1 = this.intervalFirst;
    // Per-batch counters.
    let flushed = 0; // records before this index are in c[C.recorded_accesses]
    let hw = 0;
    let pgt = 0;
    let toptier = 0;
    let homeTop = 0;
    const ignored = this.ignored;
    // The two-phase loop: dense one-byte page state, no kswapd. With access counts (page_counts()), phase 1 lists the
    // page index of every access to a slow-tier LRU page (and counts home top-tier accesses) and flushCounts() counts them.
    const twoPhase = dense && kswapd === null && pages.state instanceof Uint8Array;
    const spare = pages.spare;
    const cbuf = this.cbuf;
    const rmul = this.rmul;
    const radd = this.radd;
    const gcode = this.gcode;
    const glo = this.glo;
    const gspan = this.gspan;
    const gshift = this.gshift;
    const topHot = this.topHot;
    const slowAt = this.slowAt;
    const slowIdx = this.slowIdx;

    let i = 0;
    while (i < n) {
      if (T[i]! >= clock.next) {
        // Flush the batch's counters, then run the passes due before this record.
        c[C.recorded_accesses] += i - flushed;
        this.records += i - flushed;
        flushed = i;
        c[C.recorded_hwhints] += hw;
        c[C.recorded_pgtscans] += pgt;
        c[C.record_toptier] += toptier;
        this.homeToptier += homeTop;
        hw = pgt = toptier = homeTop = 0;
        if (!clock.advance(T[i]!)) {
          // A pass stopped part way: the rest of the batch waits for resume().
          this.enqueue(P, N, S, T, i, n);
          return;
        }
      }
      // After a pass, kswapd may have given pages an index (hashed page state grows). Read on every turn of this loop,
      // not only after a pass: a load that ran only there had no type feedback when V8 compiled the loop during the
      // prime (src/run/prime.ts), and the replay's first pass threw the compiled code away.
      if (!this.countsPaused) counts = pages.counts;
      const next = clock.next;
      while (twoPhase && i < n) {
        // Phase 1: the block's records up to the next pass, classified by range; accesses to top-tier pages (home, or
        // promoted and accessed since: the topHot bit) are counted here, with no load of the page's state byte (a
        // cache miss). The others are listed for phase 2.
        const lim = i + BLOCK < n ? i + BLOCK : n;
        let m = 0;
        let hits = 0;
        let e = i;
        // The sources' sum and bitwise or: when every source is 0 or 1, the sum is the pgtscan count and the rest are
        // hwhints; else the block's sources are counted one by one below. Two integer operations a record instead of
        // two compares.
        let srcSum = 0;
        let srcOr = 0;
        let cn = this.cn;
        if (counts === null) {
          // Without page counts: the loop below in a function of its own (top-hits.ts), then the range table for the
          // records no granule code placed, in order, as the loop below takes them.
          m = topHits(P, S, T, i, lim, next, glo, gspan, gshift, gcode, topHot, slowAt, slowIdx);
          const out = topHitsOut;
          e = out[TH_END]!;
          hits = out[TH_HITS]!;
          srcSum = out[TH_SRC_SUM]!;
          srcOr = out[TH_SRC_OR]!;
          if (out[TH_UNPLACED] !== 0) {
            let kept = 0;
            for (let q = 0; q < m; q++) {
              const k = slowAt[q]!;
              let idx = slowIdx[q]!;
              if (idx < 0) {
                const pfn = P[k]!;
                const r = rt.find(pfn);
                if (r < 0 || rclass[r] === CLS_IGNORE) {
                  this.ignoredInBlock(r, pfn, N[k]!, iv);
                  continue;
                }
                idx = (rmul[r]! * pfn + radd[r]!) | 0;
                if (((topHot[idx >> 3]! >> (idx & 7)) & 1) === 1) {
                  hits++;
                  continue;
                }
              }
              slowAt[kept] = k;
              slowIdx[kept] = idx;
              kept++;
            }
            m = kept;
          }
        } else {
          // With page counts (page_counts()): the block's accesses to slow-tier LRU pages are listed in cbuf too.
          for (; e < lim; e++) {
            if (T[e]! >= next) break;
            const pfn = P[e]!;
            const src = S[e]!;
            srcSum += src;
            srcOr |= src;
            // A top-tier page (the spare index) or a slow-tier LRU page: its index by granule code, else by range.
            let idx = granuleIndex(pfn, glo, gspan, gshift, gcode);
            if (idx < 0) {
              const r = rt.find(pfn);
              if (r < 0 || rclass[r] === CLS_IGNORE) {
                this.ignoredInBlock(r, pfn, N[e]!, iv);
                continue;
              }
              idx = (rmul[r]! * pfn + radd[r]!) | 0;
            }
            // Listed for the page counts unless it is the spare index (a home top-tier access: T0, counted here).
            const home = idx === spare ? 1 : 0;
            cbuf[cn] = idx;
            cn += 1 - home;
            homeTop += home;
            const hot = (topHot[idx >> 3]! >> (idx & 7)) & 1;
            hits += hot;
            slowAt[m] = e;
            slowIdx[m] = idx;
            m += 1 - hot;
          }
        }
        if (iv) {
          // An observer's accesses per target node since the last pass (timeline rows), as the one-phase loop counts
          // them, and their top-tier hits: here every access of the block counts as a hit, and the ones that are not
          // (ignored above, and phase 2's that stay on a slow tier) are taken off. The accesses by nid -1 to 2 are
          // counted in a register, nine bits a nid: those by nids 0, 1 and 2 in bits 0-8, 9-17 and 18-26 (a block has
          // at most 256 records); nid -1's are what the others leave. Other nids count at once. (Counted in memory by
          // each access's target in phase 1, the loop took 80-100 ms more over 10 M records: each increment waited for
          // the one before, of the same count, and phase 1 read the nid column besides.)
          let lanes = 0;
          let direct = 0;
          for (let k = i; k < e; k++) {
            const lane = N[k]! + 1;
            if (lane >>> 0 < 4) lanes += (1 << (9 * lane)) >> 9; // 0 for nid -1
            else {
              const target = this.targetIndex(N[k]!);
              ia[target]!++;
              it[target]!++;
              direct++;
            }
          }
          const a1 = lanes & 511;
          const a2 = (lanes >>> 9) & 511;
          const a3 = lanes >>> 18;
          const a0 = e - i - direct - a1 - a2 - a3;
          const lt = this.laneTarget; // the targets of nids -1, 0, 1 and 2
          ia[lt[0]!]! += a0;
          ia[lt[1]!]! += a1;
          ia[lt[2]!]! += a2;
          ia[lt[3]!]! += a3;
          it[lt[0]!]! += a0;
          it[lt[1]!]! += a1;
          it[lt[2]!]! += a2;
          it[lt[3]!]! += a3;
        }
        if ((srcOr & ~1) === 0) {
          pgt += srcSum;
          hw += e - i - srcSum;
        } else
          for (let k = i; k < e; k++) {
            const src = S[k]!;
            hw += src === 0 ? 1 : 0;
            pgt += src === 1 ? 1 : 0;
          }
        // Phase 2: the block's other records, in order, as the one-phase loop below takes them. No pass runs
        // within the block, so phase 1's view of a page (not top-hot) still holds; only its own records since
        // changed its state, and phase 2 reads the state now.
        if (m > 1) {
          // Gather: load each listed page's state byte (and its slot, when the page state keeps them, or its slot
          // chain's head) in a loop of independent loads, so that their cache misses overlap; phase 2 then finds them
          // in cache.
          const st8 = pages.state;
          const sl = pages.slot;
          const chains = this.chains;
          let g = 0;
          if (chains !== null) {
            // And the record at the chain's head (a chain holds about one record): with chains, records are many and
            // scattered, and phase 2's lookups would each wait for their record's line in turn. Over a one-pass
            // promotion of a million random pages looked up again, the lookups took 276-342 ms against 298-370 ms
            // (8 alternating runs). With the slot column (dense state rich in records, as 2s-cxl-budget's) the same
            // early load of the record was measured slower, so it is made here only.
            const slabI = this.slabI;
            for (let q = 0; q < m; q++) {
              const idx = slowIdx[q]!;
              const h = chains.head(idx);
              g += st8[idx]! + (h >= 0 ? slabI[h * ISTRIDE + I_INDEX]! : h);
            }
          } else if (sl === null) for (let q = 0; q < m; q++) g += st8[slowIdx[q]!]!;
          else
            for (let q = 0; q < m; q++) {
              const idx = slowIdx[q]!;
              g += st8[idx]! + sl[idx]!;
            }
          this.gathered += g;
        }
        const st = pages.state;
        for (let q = 0; q < m; q++) {
          const k = slowAt[q]!;
          const target = iv ? this.targetIndex(N[k]!) : size;
          if (iv && st[slowIdx[q]!] === ST_HOME) i1[target]!++; // the page's first access
          if (this.pageAccess(P, T, k, N[k]!, slowIdx[q]!, -1) >= 0) toptier++;
          else if (iv) it[target]!--; // counted as a hit with the block's accesses
        }
        toptier += hits;
        this.cn = cn;
        if (cn > CBUF - BLOCK) this.flushCounts();
        this.blocksTwoPhase++;
        this.hitsTwoPhase += hits;
        i = e;
        if (e < lim) break; // T[e] >= next: the passes due before it run first
      }
      if (twoPhase) continue;
      for (; i < n; i++) {
        const time = T[i]!;
        if (time >= next) break;
        const pfn = P[i]!;
        const nid = N[i]!;
        const src = S[i]!;
        if (src === 0) hw++;
        else if (src === 1) pgt++;
        let target = size;
        if (iv) {
          target = this.targetIndex(nid);
          ia[target]!++;
        }
        // pfn_to_nid(), pfn_to_online_page(), is_zone_device_page(), folio_test_lru(): range first; by the granule code
        // when it settles the range (a top-tier range, or a slow-tier LRU page and its dense index, as phase 1 reads it).
        let idx = -1;
        let cls = CLS_IGNORE; // until a granule code or the range table says
        let homeNode = -1;
        const d = pfn - glo;
        if (d >= 0 && d < gspan) {
          const di = d | 0;
          const code = gcode[di >>> gshift]!;
          if (code !== -2) {
            cls = (code & 1) === 0 ? CLS_TOP : CLS_SLOW;
            idx = di + (code >> 1);
          }
        }
        if (cls === CLS_IGNORE) {
          const r = rt.find(pfn);
          if (r < 0) {
            ignored.add(KIND_NONE, pfn); // pfn_to_online_page() NULL: return
            if (iv) ig[target]!++;
            continue;
          }
          cls = rclass[r]!;
          if (cls === CLS_IGNORE) {
            // Not top tier, and ZONE_DEVICE or !folio_test_lru(): return
            ignored.add(rkind[r]!, pfn);
            if (iv) ig[target]!++;
            continue;
          }
          if (cls !== CLS_TOP) {
            // A page with state: where does it live now?
            const off = bases[rregion[r]!]! + (pfn - rstart[r]!);
            if (dense) idx = off | 0; // < DENSE_MAX_PAGES: an int32 index
            else {
              idx = pages.indexOf(off);
              counts = pages.counts; // (counts are never paused with hashed page state)
            }
            // A top-tier range with state (--demotion): its pages are at home there unless kswapd moved them.
            if (cls === CLS_TOP_STATE) homeNode = rnid[r]!;
          }
        }
        if (cls === CLS_TOP) {
          // "Record only accesses from lower tiers": the page is on a top-tier node.
          toptier++;
          homeTop++;
          if (iv) it[target]!++;
          continue;
        }
        if (cls === CLS_SLOW) {
          if (iv && pages.state[idx] === ST_HOME) i1[target]!++; // the page's first access
          if (counts !== null) {
            const c = counts[idx]! + 1;
            counts[idx] = c;
            if (c > 255) pages.carry(idx); // the byte wrapped
          }
        } else homeTop++;
        const node = this.pageAccess(P, T, i, nid, idx, homeNode);
        if (node >= 0) {
          toptier++;
          if (iv) it[target]!++;
          if (kswapd !== null) kswapd.lru.touch(pfn, node);
        }
      }
    }
    c[C.recorded_accesses] += n - flushed;
    this.records += n - flushed;
    c[C.recorded_hwhints] += hw;
    c[C.recorded_pgtscans] += pgt;
    c[C.record_toptier] += toptier;
    this.homeToptier += homeTop;
  }

  /** The intervalAccesses index of an access by `nid` (NUMA_NO_NODE: the default node): its hot node with a daemon, else the last slot. */
  /**
   * An access of the two-phase loop's first phase to pfn `pfn` of range `r` (-1: none) that is ignored: in no range, or
   * not top tier and ZONE_DEVICE or !folio_test_lru() (pfn_to_online_page() NULL...: return). With interval accesses
   * (`iv`) it is taken off the block's top-tier hits, by the target of its `nid`.
   */
  private ignoredInBlock(r: number, pfn: number, nid: number, iv: boolean): void {
    this.ignored.add(r < 0 ? KIND_NONE : this.ranges.kinds[r]!, pfn);
    if (iv) {
      const target = this.targetIndex(nid);
      this.intervalIgnored[target]!++;
      this.intervalToptier[target]!--;
    }
  }

  private targetIndex(nid: number): number {
    const hot = nid === -1 ? this.defaultNode : nid;
    const size = this.nodes.size;
    return hot >= 0 && hot < size ? this.targetOf[hot]! : size;
  }

  /**
   * An access to the page of state index `idx` (a slow-tier LRU page, or with --demotion a top-tier one at home on
   * `homeNode`, else -1): where does it live now? On a top-tier node, the access only counts: returns that node
   * (record_toptier is the caller's). On a slow-tier node, an LRU folio: kpromoted_lookup() and the window test
   * (recordSlow), and -1. A page that moved is marked accessed at its first access since (topHot too, on a top-tier
   * node). The access is record `k` of the batch (P[k], T[k]): its pfn and time are read where they are used, never
   * passed as numbers to a call V8 does not inline, which boxes each double that is not a small integer (a time in
   * jiffies never is): 16 bytes of garbage per slow-tier access, a young-generation collection every 25 ms.
   */
  private pageAccess(P: Float64Array, T: Float64Array, k: number, nid: number, idx: number, homeNode: number): number {
    const pages = this.pages;
    const state = pages.state;
    const st = state[idx]!;
    let slot = -1;
    let placed = -1;
    if (st >= ST_MOVED) {
      // Migrated in this replay: it lives on movedNode(st), an LRU folio.
      placed = movedNode(st);
      const top = this.nodes.toptier[placed] === 1;
      if ((st & 1) === 0) {
        state[idx] = st + 1; // first access since it moved
        this.unaccessedMoved--;
        if (top && pages.dense) this.topHot[idx >> 3]! |= 1 << (idx & 7);
      }
      if (top) return placed;
    } else if (st === ST_TRACKED) slot = this.slotOfTracked(P[k]!, idx);
    else if (homeNode >= 0) return homeNode;
    this.recordSlow(P, T, k, nid, idx, slot, placed);
    return -1;
  }

  /**
   * kpromoted_record_access() past the tier and folio checks: kpromoted_lookup() (the record of `slot`, or a
   * new one when slot < 0), the window test and hot_node. Out of the hot loop: only slow-tier LRU accesses
   * come here, and a smaller loop compiles once and stays compiled.
   */
  private recordSlow(P: Float64Array, T: Float64Array, k: number, nid: number, idx: number, slot: number, placed: number): void {
    const pfn = P[k]!;
    const time = T[k]!;
    const c = this.c;
    let slab = this.slab;
    let slabI = this.slabI;
    const size = this.nodes.size;
    const daemonOf = this.nodes.daemon;
    const window = this.window;
    let base: number;
    let created = false;
    if (slot < 0) {
      // kpromoted_lookup(): kzalloc, frequency = 1, last_update = recency = now, hlist_add_head.
      if (this.freeSlot >= 0) {
        slot = this.freeSlot;
        this.freeSlot = slabI[slot * ISTRIDE + I_NEXT]! | 0;
      } else {
        slot = this.slabTop++;
        if (this.slabTop * STRIDE > slab.length) {
          this.growSlab();
          slab = this.slab;
          slabI = this.slabI;
        }
      }
      base = slot * STRIDE;
      slab[base + F_PFN] = pfn;
      slab[base + F_LAST_UPDATE] = time;
      slabI[2 * base + I_FREQUENCY] = 1;
      slabI[2 * base + I_HOT_NODE] = 0;
      // hlist_add_head(): the newest record is the head of its bucket.
      const bucket = hash_64(pfn, this.order);
      const buckets = this.buckets;
      const bs = this.bs;
      const head = buckets[bs * bucket]!;
      slabI[2 * base + I_NEXT] = head;
      if (head === -1) this.occupied.add(bucket);
      buckets[bs * bucket] = slot;
      if (bs === 2) {
        const chain = ++buckets[2 * bucket + 1]!;
        if (chain > this.longestChain) this.longestChain = chain;
      }
      if (placed >= 0) {
        this.placedOf[slot] = placed + 1;
        this.placedLive++;
      }
      this.since[slot] = time;
      slabI[2 * base + I_INDEX] = idx;
      this.pages.state[idx] = ST_TRACKED;
      const slots = this.pages.slot;
      if (slots !== null) slots[idx] = slot;
      else if (this.chains !== null) this.chains.add(idx, slot, this.indexOfSlot);
      if (++this.tracked > this.peakTracked) this.peakTracked = this.tracked;
      c[C.record_added]++;
      created = true;
    } else {
      base = slot * STRIDE;
      c[C.record_exists]++;
    }

    const last = slab[base + F_LAST_UPDATE]!;
    if (this.fixed) {
      // As intended: (now - last_update) > window starts a new window; a new record counts its first access once.
      const age = time - last; // u64: negative wraps to >= 2^64 - 2^53, always > window
      if (age < 0 || age > window) {
        slabI[2 * base + I_FREQUENCY] = 1;
        slab[base + F_LAST_UPDATE] = time;
      } else if (!created) {
        slabI[2 * base + I_FREQUENCY] = (slabI[2 * base + I_FREQUENCY]! + 1) | 0;
      }
    } else {
      // mm/kpromoted.c as posted, operands reversed: (last_update - now) > window in unsigned long.
      const dl = last - time;
      if (dl < 0 || dl > window) {
        slabI[2 * base + I_FREQUENCY] = 1; // "New window"
        slab[base + F_LAST_UPDATE] = time;
      } else {
        slabI[2 * base + I_FREQUENCY] = (slabI[2 * base + I_FREQUENCY]! + 1) | 0; // int frequency
      }
    }
    // phi->recency = now is not stored: no code path of the patch reads it.

    if (this.lazy) this.touched(slot, base, created);

    // phi->hot_node = nid (or the default for NUMA_NO_NODE); keep the count of examinable records. (The default read
    // whatever nid is: a load that ran only for NUMA_NO_NODE had no type feedback when V8 compiled this during the
    // prime, whose NUMA_NO_NODE accesses find their pages promoted, and the replay's first one threw the code away.)
    const defaultNode = this.defaultNode;
    const hot = nid === -1 ? defaultNode : nid;
    const hotDaemon = hot >= 0 && hot < size && daemonOf[hot] === 1;
    if (created) {
      if (hotDaemon) this.examinable++;
      else this.unexamined(hot, 1);
    } else {
      const old = slabI[2 * base + I_HOT_NODE]!;
      if (old !== hot) {
        const oldDaemon = old >= 0 && old < size && daemonOf[old] === 1;
        this.examinable += (hotDaemon ? 1 : 0) - (oldDaemon ? 1 : 0);
        if (!oldDaemon) this.unexamined(old, -1);
        if (!hotDaemon) this.unexamined(hot, 1);
      }
    }
    slabI[2 * base + I_HOT_NODE] = hot;
  }

  /**
   * A larger slab, the records copied: slabReserve slots after the first slab, then SLAB_GROWTH times as many, but no
   * more slots than pages with state when the page state is dense (a page has one record at most).
   */
  private growSlab(): void {
    const oldI = this.slabI;
    const pages = this.pages;
    const had = this.since.length;
    let slots = had < this.slabReserve ? this.slabReserve : had * SLAB_GROWTH;
    if (pages.dense && slots > pages.size) slots = Math.max(pages.size, this.slabTop);
    this.slab = new Float64Array(STRIDE * slots);
    this.slabI = new Int32Array(this.slab.buffer);
    this.slabI.set(oldI); // (as 32-bit words: every bit as it was)
    const since = new Float64Array(slots);
    since.set(this.since);
    this.since = since;
    const placedOf = new Int16Array(slots);
    placedOf.set(this.placedOf);
    this.placedOf = placedOf;
    if (this.chains !== null) this.chains.slabGrew(slots);
  }

  /** The placed of the record in `slot`: a node, or -1 (placedOf holds a node, plus one, only for a live record that has one). */
  private placedOfSlot(slot: number): number {
    return this.placedLive > 0 ? this.placedOf[slot]! - 1 : -1;
  }

  /** The record in `slot` goes: its placed, if any, with it. */
  private freePlaced(slot: number): void {
    if (this.placedOf[slot]! !== 0) {
      this.placedOf[slot] = 0;
      this.placedLive--;
    }
  }

  private unexamined(hot: number, d: number): void {
    const n = (this.unexaminedBy.get(hot) ?? 0) + d;
    if (n === 0) this.unexaminedBy.delete(hot);
    else this.unexaminedBy.set(hot, n);
  }

  /** Runs the final pass: the first pass time strictly greater than every record time (once the queue is applied, when a pass is part way). */
  finish(): void {
    this.drain();
    if (this.clock.suspended) this.finishWanted = true;
    else this.clock.finish();
  }

  /** Where the pass part way stands (its time, records walked, records in the table when it began), or null. */
  get passProgress(): { time: number; walked: number; records: number } | null {
    return this.clock.suspended ? { time: this.passNow, walked: this.passWalked, records: this.passRecords } : null;
  }

  /** True while a migrate pass is part way (see sliceRecords): resume() goes on with it. */
  get suspended(): boolean {
    return this.clock.suspended;
  }

  /**
   * Goes on with the pass left part way for another slice; once it is done, applies the queued records (and the
   * final pass, if finish() was called). False while a pass is part way again.
   */
  resume(): boolean {
    if (!this.clock.suspended) return true;
    // Records given one at a time since the pass stopped are newer than the queue: they join its end.
    if (this.buffered > 0) {
      const one = this.one;
      this.enqueue(one.pfn, one.nid, one.src, one.time, 0, this.buffered);
      this.buffered = 0;
    }
    if (!this.clock.resume()) return false;
    const q = this.queue;
    const n = this.queued;
    this.queue = this.spareQueue;
    this.spareQueue = null;
    this.queued = 0;
    if (q !== null && n > 0) this.record_batch(q.pfn, q.nid, q.src, q.time, n);
    if (q !== null) this.spareQueue = q;
    if (this.clock.suspended) return false;
    if (this.finishWanted) {
      this.finishWanted = false;
      if (!this.clock.finish()) return false;
    }
    return true;
  }

  /** Appends records [from, to) of the columns to the queue of records waiting for a pass part way. */
  private enqueue(P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, from: number, to: number): void {
    const k = to - from;
    if (k <= 0) return;
    let q = this.queue;
    const need = this.queued + k;
    if (q === null || q.pfn.length < need) {
      const cap = Math.max(need, 2 * (q?.pfn.length ?? 0), BUFFERED);
      const bigger = { pfn: new Float64Array(cap), nid: new Int32Array(cap), src: new Int32Array(cap), time: new Float64Array(cap) };
      if (q !== null) {
        bigger.pfn.set(q.pfn.subarray(0, this.queued));
        bigger.nid.set(q.nid.subarray(0, this.queued));
        bigger.src.set(q.src.subarray(0, this.queued));
        bigger.time.set(q.time.subarray(0, this.queued));
      }
      q = this.queue = bigger;
    }
    q.pfn.set(P.subarray(from, to), this.queued);
    q.nid.set(N.subarray(from, to), this.queued);
    q.src.set(S.subarray(from, to), this.queued);
    q.time.set(T.subarray(from, to), this.queued);
    this.queued = need;
  }

  /** Counters in vmstat order. */
  counters(): Counter[] {
    this.drain();
    const names = this.kswapd !== null ? [...RFC_V1_COUNTER_NAMES, ...DEMOTION_COUNTER_NAMES] : RFC_V1_COUNTER_NAMES;
    return names.map((name, i) => ({ name, value: this.c[i]! }));
  }

  /** Records, passes, tracked records and those no daemon will ever examine. */
  next_pass_time(): number {
    return this.clock.next;
  }

  summary(): ReplaySummary {
    this.drain();
    const byNode = this.unexaminedBy;
    const free_pages: { node: number; free_pages: number }[] = [];
    for (const id of this.nodes.budgetedNodes()) free_pages.push({ node: id, free_pages: this.nodes.freePages[id]! });
    return {
      records: this.records,
      passes: this.clock.passes,
      tracked: this.tracked,
      unexamined: [...byNode].sort((a, b) => a[0] - b[0]).map(([hot_node, records]) => ({ hot_node, records })),
      first_pass: this.clock.first,
      last_pass: this.clock.last,
      free_pages,
      ignored: this.ignored.summary(this.records),
    };
  }

  /**
   * Per-page access counts for the fast-tier share bounds, or null unless the engine was made with
   * `page_counts: true` (then they cost one byte increment per slow-tier LRU access, held beside the page
   * state with the same index, so memory follows the pages touched). Valid until the next record.
   */
  page_counts(): PageCounts | null {
    this.drain();
    this.flushCounts();
    const pages = this.pages;
    if (pages.counts === null) return null;
    const totals = pages.countTotals();
    return {
      home_toptier: this.homeToptier,
      pages: totals.pages,
      accesses: totals.accesses,
      forEach: (f) => pages.forEachCount(f),
    };
  }

  /** True when the page state is one array over the slow tiers; false when it is hashed (a slow tier too large for an array). */
  get dense_page_state(): boolean {
    return this.pages.dense;
  }

  /** Daemon period in jiffies. */
  get period_jiffies(): number {
    return this.period;
  }

  /** Window in jiffies (msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)). */
  get window_jiffies(): number {
    return this.window;
  }

  /** Records in the hash table now. */
  get tracked_records(): number {
    this.drain();
    return this.tracked;
  }

  /** Free pages of node `id` now (Infinity when it has no budget). */
  free_pages_of(id: number): number {
    this.drain();
    return this.nodes.freeOf(id);
  }

  /** Node the page lives on now (pfn_to_nid), -1 when in no range. */
  pfn_to_nid(pfn: number): number {
    this.drain();
    const r = this.ranges.find(pfn);
    if (r < 0) return -1;
    const region = this.rregion[r]!;
    if (region >= 0) {
      const idx = this.pages.index(pfn, region, false);
      const st = idx >= 0 ? this.pages.state[idx]! : ST_HOME;
      if (st >= ST_MOVED) return movedNode(st);
      if (st === ST_TRACKED) {
        const placed = this.placedOfSlot(this.slotOfTracked(pfn, idx));
        if (placed >= 0) return placed;
      }
    }
    return this.ranges.nids[r]!;
  }

  /** Time of the first record (T0), or null before it. */
  get first_record_time(): number | null {
    this.drain();
    return this.clock.started ? this.clock.t0 : null;
  }

  /** CONFIG_HZ and KPROMOTED_HASH_ORDER of this engine. */
  get hz(): number {
    return this.hz_;
  }

  /** KPROMOTED_HASH_ORDER. */
  get hash_order(): number {
    return this.order;
  }

  /** Budgeted node ids, ascending. */
  get budgeted_nodes(): number[] {
    const out: number[] = [];
    out.push(...this.nodes.budgetedNodes());
    return out;
  }

  /** Daemon node ids, ascending. */
  get daemon_nodes(): readonly number[] {
    return this.nodes.daemonNodes;
  }

  /**
   * Accesses since the previous call, by target node: `accesses[id]` for a daemon node `id`, the last slot
   * for targets without a daemon; `toptier` likewise for the ones that hit a top-tier page, `ignored` for the ones the
   * engine ignored (in no range, or in a slow-tier non-LRU or device range: SPEC 2.2 step 3). Resets them.
   * Counted only while an observer that reads them is set (PassObserver.intervals; the analysis collector with rows).
   */
  take_interval_accesses(): { accesses: Float64Array; toptier: Float64Array; ignored: Float64Array } {
    this.drain();
    const out = { accesses: this.intervalAccesses.slice(), toptier: this.intervalToptier.slice(), ignored: this.intervalIgnored.slice() };
    const hits = this.intervalHits;
    for (let k = 0; k < hits.length; k++) hits[k]! += out.accesses[k]! - out.ignored[k]! - this.intervalFirst[k]!;
    this.intervalAccesses.fill(0);
    this.intervalToptier.fill(0);
    this.intervalIgnored.fill(0);
    this.intervalFirst.fill(0);
    return out;
  }

  /**
   * The hits of the instant bound (bounds.ts) among the accesses of the intervals take_interval_accesses() took since
   * the last call, by the same target index: the accesses to top-tier pfns and the later accesses of slow-tier LRU
   * pages (not a page's first in the replay), by the topology's ranges. The same as a SlowPageCounter fed the same
   * records gives at each pass (test/analysis/bounds.test.ts), with no per-access work but a state byte's test in
   * the second phase (the state is loaded there anyway) and the counts of ignored accesses. Resets them.
   */
  take_interval_instant_hits(): Float64Array {
    const out = this.intervalHits.slice();
    this.intervalHits.fill(0);
    return out;
  }

  /** Records whose hot_node has no daemon, now. */
  get unexamined_records(): number {
    this.drain();
    return this.tracked - this.examinable;
  }

  /** Most records in the hash table at once, and the longest bucket chain seen (RfcV1Config.analysis_metrics only). */
  get peak(): { records: number; longest_chain: number } {
    if (this.bs !== 2) throw new Error('internal: peak of an engine made without RfcV1Config.analysis_metrics');
    this.drain();
    return { records: this.peakTracked, longest_chain: this.longestChain };
  }

  /**
   * Pages migrated in this replay that were never accessed after they moved (and are not tracked again). Only for an
   * engine made with RfcV1Config.analysis_metrics: without it a promoted page counts as accessed at once.
   */
  wasted_promotions(): number {
    if (this.promotedAccessed !== 0) throw new Error('internal: wasted_promotions() of an engine made without RfcV1Config.analysis_metrics');
    this.drain();
    return this.unaccessedMoved + this.wastedDemoted;
  }

  /** The slot of the record of `pfn`, or -1 when it is not tracked. */
  private slotOf(pfn: number): number {
    const r = this.ranges.find(pfn);
    const region = r >= 0 ? this.rregion[r]! : -1;
    if (region < 0) return -1;
    const idx = this.pages.index(pfn, region, false);
    return idx >= 0 && this.pages.state[idx] === ST_TRACKED ? this.slotOfTracked(pfn, idx) : -1;
  }

  /** The slot of the record of the tracked page `pfn` of index `idx`. */
  private slotOfTracked(pfn: number, idx: number): number {
    const slots = this.pages.slot;
    if (slots !== null) return slots[idx]!;
    const chains = this.chains;
    return chains !== null ? chains.find(idx, this.slabI, ISTRIDE, I_INDEX) : this.lookup(pfn);
  }

  /**
   * Chain walks got long (WALK_WINDOW): from now on the page state keeps each tracked page's slot, so finding a record
   * costs one load however long the chains grow (no cliff when many pages are tracked before one pass and looked up
   * again). Filled here for the records alive: the slots below slabTop that are not free (untrack() marks those).
   * Over a dense page state of CHAINS_MIN_PAGES pages or more with fewer than one record in CHAINS_SPARSE pages, the
   * slots go into chains sized to the records instead (slot-chains.ts) of a column that they would touch all over.
   */
  private enableSlots(): void {
    const pages = this.pages;
    const slabI = this.slabI;
    if (pages.dense && pages.state.length >= CHAINS_MIN_PAGES && pages.state.length > CHAINS_SPARSE * this.tracked) {
      const chains = (this.chains = new SlotChains(this.tracked, this.since.length));
      for (let slot = 0; slot < this.slabTop; slot++) {
        const idx = slabI[slot * ISTRIDE + I_INDEX]! | 0;
        if (idx >= 0) chains.add(idx, slot, this.indexOfSlot);
      }
      return;
    }
    const slots = pages.enableSlots();
    for (let slot = 0; slot < this.slabTop; slot++) {
      const idx = slabI[slot * ISTRIDE + I_INDEX]! | 0;
      if (idx >= 0) slots[idx] = slot;
    }
  }

  /** Slots of the record slab now (growSlab(); a diagnostic for tests). */
  get slabSlots(): number {
    return this.since.length;
  }

  /** Whether the page state keeps record slots (enableSlots(); a diagnostic for tests). */
  get slotsEnabled(): boolean {
    return this.pages.slot !== null || this.chains !== null;
  }

  /** Where record slots are kept once enabled: the page state's column, or chains sized to the records (a diagnostic). */
  get slotsIn(): 'column' | 'chains' | null {
    return this.pages.slot !== null ? 'column' : this.chains !== null ? 'chains' : null;
  }

  /**
   * kpromoted_lookup() of a tracked page: the slot of the record of `pfn` in its bucket's chain (there is one). Keeps
   * the record slots from the end of a window of lookups that walked more than WALK_STEPS records each on average.
   */
  private lookup(pfn: number): number {
    const slab = this.slab;
    const slabI = this.slabI;
    let slot = this.buckets[this.bs * hash_64(pfn, this.order)]!;
    let steps = 1;
    while (slot >= 0 && slab[slot * STRIDE + F_PFN] !== pfn) {
      slot = slabI[slot * ISTRIDE + I_NEXT]! | 0;
      steps++;
    }
    if (slot < 0) throw new Error(`internal: pfn ${pfn} is tracked but has no record in its bucket`);
    // The window's counts are read and written on every lookup, not only at a window's end: code V8 compiled before a
    // first window ended (the prime's 12 000 records) had no type feedback there, and was thrown away at the replay's.
    const lookups = this.walkLookups + 1;
    const walked = this.walkSteps + steps;
    const end = lookups === WALK_WINDOW;
    const long = walked > WALK_STEPS * WALK_WINDOW;
    if (end && long) this.enableSlots(); // (lookups stop then: slotOfTracked())
    this.walkLookups = end ? 0 : lookups;
    this.walkSteps = end ? 0 : walked;
    return slot;
  }

  /** The record of `pfn` (frequency, last_update, hot_node), or null when it is not tracked. */
  record_of(pfn: number): { frequency: number; last_update: number; hot_node: number; tracked_since: number } | null {
    this.drain();
    const v = this.slotOf(pfn);
    if (v < 0) return null;
    const base = v * STRIDE;
    const s = this.slab;
    return {
      frequency: this.slabI[2 * base + I_FREQUENCY]!,
      last_update: s[base + F_LAST_UPDATE]!,
      hot_node: this.slabI[2 * base + I_HOT_NODE]!,
      tracked_since: this.since[v]!,
    };
  }

  /**
   * One migrate pass at jiffies `now`: every kpromoted%d daemon runs kpromoted_migrate(), ascending node id.
   * Daemons only touch records whose hot_node is their node, their targets are top-tier CPU nodes and the
   * pages' nodes are not, so one walk of the buckets gives the same result as one walk per daemon; the
   * observer still sees the daemons' order (events are buffered per daemon and flushed in node order).
   */
  private pass(now: number): boolean {
    this.passNow = now;
    this.passWalked = 0;
    this.passRecords = this.tracked;
    if (!this.lazy && this.canGoLazy()) this.goLazy();
    if (this.lazy) {
      this.passesLazy++;
      this.lazyStage = 0;
      this.activeAt = 0;
      return this.passSliceLazy();
    }
    this.passBySlab =
      (this.passObserver === null || this.passObserver.anyOrder === true) && this.kswapd === null && this.migrationsSucceed && this.freeSlot === -1 && this.tracked === this.slabTop && this.examinable === this.tracked;
    this.passBucket = this.passBySlab ? 0 : this.occupied.next(0);
    if (this.passBySlab) this.passesBySlab++;
    this.passInterleaved = !this.passBySlab && this.orderFree();
    if (this.passInterleaved) this.passesInterleaved++;
    return this.passBySlab ? this.passSliceSlab() : this.passInterleaved ? this.passSliceInterleaved() : this.passSlice();
  }

  /**
   * True when the order in which a pass examines records cannot show: no kswapd, no observer or one that takes events
   * in any order, and no daemon node with a budget that can still take a page (every migration to a daemon node then
   * succeeds always, or fails always: a budget is only spent in a pass, and a tracked page never lives on a daemon node).
   */
  private orderFree(): boolean {
    if (this.kswapd !== null || (this.passObserver !== null && this.passObserver.anyOrder !== true)) return false;
    const nodes = this.nodes;
    for (const d of nodes.daemonNodes) if (nodes.budgeted[d] === 1 && nodes.freePages[d]! > nodes.highWmark[d]! + 1) return false;
    return true;
  }

  /**
   * passSlice() when the order cannot show (orderFree()): the chains of INTERLEAVE occupied buckets at a time, a record
   * of each in turn, so that the cache misses of their walks overlap (a chain is a walk of dependent loads). Each chain
   * is walked head first and unlinked as passSlice() does, so the chains end the same. A budget that ran out leaves
   * its failed records in the table, and every pass walks them all: 2 s of cache misses of a 5.6 s replay of the bench
   * trace over 2s-cxl-budget.
   */
  private passSliceInterleaved(): boolean {
    const budget = this.sliceRecords;
    let walked = 0;
    const buckets = this.buckets;
    const bs = this.bs;
    const occupied = this.occupied;
    const obs = this.passObserver;
    const nodes = this.nodes;
    const slabI = this.slabI;
    const bk = this.ilBucket;
    const at = this.ilSlot;
    const prevOf = this.ilPrev;
    let b = this.passBucket;
    while (b >= 0) {
      if (walked >= budget) {
        this.passBucket = b;
        this.passWalked += walked;
        return false;
      }
      let k = 0;
      for (; k < INTERLEAVE && b >= 0; k++) {
        bk[k] = b;
        at[k] = buckets[bs * b]!;
        prevOf[k] = -1;
        b = occupied.next(b + 1);
      }
      let live = k;
      while (live > 0) {
        // The next record of each chain, in a loop of independent loads (with the lines examine() reads).
        let g = 0;
        for (let j = 0; j < k; j++) {
          const slot = at[j]!;
          if (slot >= 0) g += slabI[slot * ISTRIDE + I_NEXT]! + slabI[slot * ISTRIDE + I_INDEX]!;
        }
        this.gathered += g;
        for (let j = 0; j < k; j++) {
          const slot = at[j]!;
          if (slot < 0) continue;
          walked++;
          const base = slot * STRIDE;
          const next = slabI[2 * base + I_NEXT]! | 0;
          at[j] = next;
          if (next < 0) live--;
          if (!nodes.hasDaemon(slabI[2 * base + I_HOT_NODE]!)) {
            prevOf[j] = slot;
            continue;
          }
          const outcome = this.examine(slot);
          if (outcome === OutcomeCode.Failed) prevOf[j] = slot;
          else {
            const prev = prevOf[j]!;
            if (prev === -1) buckets[bs * bk[j]!] = next;
            else slabI[prev * ISTRIDE + I_NEXT] = next;
            this.untrack(slot, bk[j]!);
          }
          if (obs !== null) this.emit(obs, slot, outcome);
        }
      }
      for (let j = 0; j < k; j++) if (buckets[bs * bk[j]!] === -1) occupied.delete(bk[j]!);
    }
    return this.passDone();
  }

  /** Walks the pass's buckets from passBucket, up to sliceRecords records (whole buckets); true once the pass is done. */
  private passSlice(): boolean {
    const budget = this.sliceRecords;
    let walked = 0;
    const buckets = this.buckets;
    const bs = this.bs;
    const occupied = this.occupied;
    const obs = this.passObserver;
    const nodes = this.nodes;
    const slabI = this.slabI;
    // kpromoted_migrate(): for each occupied bucket in ascending order, each record head first.
    let b = this.passBucket;
    while (b >= 0) {
      if (walked >= budget) {
        this.passBucket = b;
        this.passWalked += walked;
        return false;
      }
      let prev = -1;
      let slot = buckets[bs * b]!;
      while (slot >= 0) {
        walked++;
        const base = slot * STRIDE;
        const next = slabI[2 * base + I_NEXT]! | 0;
        if (!nodes.hasDaemon(slabI[2 * base + I_HOT_NODE]!)) {
          // if (phi->hot_node != nid) continue; for every daemon
          prev = slot;
          slot = next;
          continue;
        }
        const outcome = this.examine(slot);
        // hlist_del_init(): unlink from the chain; the record's slot is freed (kfree).
        if (outcome === OutcomeCode.Failed) {
          prev = slot; // record kept, retried next pass
        } else {
          if (prev === -1) buckets[bs * b] = next;
          else slabI[prev * ISTRIDE + I_NEXT] = next;
          this.untrack(slot, b);
        }
        if (obs !== null) {
          if (obs.anyOrder === true) this.emit(obs, slot, outcome);
          else this.buffer(slot, outcome);
        }
        slot = next;
      }
      if (buckets[bs * b] === -1) occupied.delete(b);
      b = occupied.next(b + 1);
    }
    return this.passDone();
  }

  /**
   * The same pass in slab order, when its order cannot show: no observer or one that takes events in any order, no kswapd, every daemon
   * node has memory and no budget (no migration fails, so counters are sums over records in any order), and
   * every record is examined (so every record is freed: all chains end empty). Reads the slab sequentially.
   */
  private passSliceSlab(): boolean {
    const budget = this.sliceRecords;
    const top = this.slabTop;
    const obs = this.passObserver; // null, or one that takes events in any order: given as they come
    let slot = this.passBucket;
    for (let walked = 0; slot < top; slot++, walked++) {
      if (walked >= budget) {
        this.passBucket = slot;
        this.passWalked += walked;
        return false;
      }
      const outcome = this.examine(slot);
      if (this.placedLive > 0) this.freePlaced(slot);
      this.tracked--;
      this.examinable--;
      if (obs !== null) this.emit(obs, slot, outcome); // events in slab order (the observer takes any order)
    }
    // Every record was freed: empty the chains of the occupied buckets.
    if (this.chains !== null) this.chains.clear();
    const buckets = this.buckets;
    const bs = this.bs;
    const occupied = this.occupied;
    for (let b = occupied.next(0); b >= 0; b = occupied.next(b + 1)) {
      buckets[bs * b] = -1;
      if (bs === 2) buckets[2 * b + 1] = 0;
      occupied.delete(b);
    }
    return this.passDone();
  }

  /**
   * Lazy passes may start (see `lazy`): no migration to a daemon node can succeed where one failed and none can
   * depend on the order of a pass, and the observer (if any) takes events in any order and failed ones in bulk.
   */
  private canGoLazy(): boolean {
    if (!this.lazyOk || this.migrationsSucceed || !this.orderFree()) return false;
    const obs = this.passObserver;
    return obs === null || (obs.anyOrder === true && obs.examinedFailed !== undefined);
  }

  /** From now on, passes are lazy: every live record is examined at this pass; records are found by their slots. */
  private goLazy(): void {
    if (!this.slotsEnabled) this.enableSlots();
    const slabI = this.slabI;
    for (let slot = 0; slot < this.slabTop; slot++) {
      if (slabI[slot * ISTRIDE + I_INDEX] === -1) continue; // a free slot
      slabI[slot * ISTRIDE + I_NEXT] = LF_ACTIVE;
      this.pushActive(slot);
    }
    this.lazy = true;
  }

  /** recordSlow() made or updated the record in `slot` (a lazy pass examines it next), before its hot node changes. */
  private touched(slot: number, base: number, created: boolean): void {
    const slabI = this.slabI;
    const f = created ? LF_IDLE : slabI[2 * base + I_NEXT]!;
    if (f === LF_ACTIVE) return;
    if (f === LF_PARKED) {
      this.parkedBy[slabI[2 * base + I_HOT_NODE]!]!--;
      this.parked--;
    }
    slabI[2 * base + I_NEXT] = LF_ACTIVE;
    this.pushActive(slot);
  }

  private pushActive(slot: number): void {
    if (this.activeN === this.active.length) {
      const bigger = new Int32Array(this.active.length * 2);
      bigger.set(this.active);
      this.active = bigger;
    }
    this.active[this.activeN++] = slot;
  }

  /** A record whose migration failed: parked until it is accessed or gets cold. */
  private park(slot: number): void {
    const slab = this.slab;
    const slabI = this.slabI;
    const base = slot * STRIDE;
    slabI[2 * base + I_NEXT] = LF_PARKED;
    this.parkedBy[slabI[2 * base + I_HOT_NODE]!]!++;
    this.parked++;
    this.coldQueue.push(slab[base + F_LAST_UPDATE]!, slot);
  }

  /**
   * A lazy pass (see `lazy`): the parked records whose last_update got older than cold are examined (dropped
   * cold_old) and freed; the other parked ones fail again, counted by daemon; then the records accessed or made since
   * the last pass are examined, and parked or freed. Outcomes and counters are those of the kernel's pass (examine()
   * decides every outcome but the parked records' repeated failures); events come in no particular order.
   */
  private passSliceLazy(): boolean {
    const budget = this.sliceRecords;
    let walked = 0;
    const slab = this.slab;
    const slabI = this.slabI;
    const obs = this.passObserver;
    const nodes = this.nodes;
    const now = this.passNow;
    const q = this.coldQueue;
    if (this.lazyStage === 0) {
      // The parked records whose age = now - last_update > cold (as examine() tests it).
      q.take(now, this.cold);
      this.takenAt = 0;
      this.lazyStage = 1;
    }
    if (this.lazyStage === 1) {
      const taken = q.taken;
      const slots = taken.slots;
      const keys = taken.keys;
      while (this.takenAt < taken.n) {
        const at = this.takenAt;
        const end = Math.min(taken.n, at + LAZY_GATHER);
        this.gatherRecords(slots, at, end);
        for (let k = at; k < end; k++) {
          if (walked >= budget) {
            this.passWalked += walked;
            return false;
          }
          this.takenAt = k + 1;
          const slot = slots[k]!;
          const base = slot * STRIDE;
          // An entry of a record accessed since it was parked (or freed, and its slot taken again) is skipped.
          if (slabI[2 * base + I_INDEX] === -1 || slabI[2 * base + I_NEXT] !== LF_PARKED || slab[base + F_LAST_UPDATE] !== keys[k]) continue;
          walked++;
          this.parkedBy[slabI[2 * base + I_HOT_NODE]!]!--;
          this.parked--;
          const outcome = this.examine(slot);
          if (outcome === OutcomeCode.Failed) throw new Error(`internal: a parked record of pfn ${slab[base + F_PFN]} failed again when cold`);
          this.untrack(slot, hash_64(slab[base + F_PFN]!, this.order));
          if (obs !== null) this.emit(obs, slot, outcome);
        }
      }
      // The others fail again: page_should_be_promoted() true (frequency and age as they were, hot_node != from),
      // and migrate_misplaced_folio_prepare() fails as before (a full node stays full).
      this.c[C.mig_candidate] += this.parked;
      walked += this.parked;
      if (obs !== null)
        for (const d of nodes.daemonNodes) {
          const n = this.parkedBy[d]!;
          if (n > 0) obs.examinedFailed!(now, d, n);
        }
      this.lazyStage = 2;
    }
    const active = this.active;
    while (this.activeAt < this.activeN) {
      const at = this.activeAt;
      const end = Math.min(this.activeN, at + LAZY_GATHER);
      this.gatherRecords(active, at, end);
      for (let k = at; k < end; k++) {
        if (walked >= budget) {
          this.passWalked += walked;
          return false;
        }
        this.activeAt = k + 1;
        const slot = active[k]!;
        const base = slot * STRIDE;
        walked++;
        if (!nodes.hasDaemon(slabI[2 * base + I_HOT_NODE]!)) {
          slabI[2 * base + I_NEXT] = LF_IDLE; // if (phi->hot_node != nid) continue; for every daemon
          continue;
        }
        const outcome = this.examine(slot);
        if (outcome === OutcomeCode.Failed) this.park(slot);
        else this.untrack(slot, hash_64(slab[base + F_PFN]!, this.order));
        if (obs !== null) this.emit(obs, slot, outcome);
      }
    }
    this.activeN = 0;
    this.passWalked += walked;
    return this.passDone();
  }

  /**
   * Loads the records of slots[at, end) in a loop of independent loads, so that their cache misses overlap before a
   * lazy pass examines them: a record's first and last fields (it may span two cache lines).
   */
  private gatherRecords(slots: Int32Array, at: number, end: number): void {
    const slab = this.slab;
    const slabI = this.slabI;
    let g = 0;
    for (let k = at; k < end; k++) {
      const base = slots[k]! * STRIDE;
      g += slab[base + F_PFN]! + slabI[2 * base + I_INDEX]!;
    }
    this.gathered += g;
  }

  /** End of a pass: the slab's allocator starts over when no record is left; kswapd; the observer's events. */
  private passDone(): boolean {
    this.passBucket = -1;
    if (this.tracked === 0) {
      // New records are then laid out in order of creation: the next pass (and their creation) reads memory in order.
      if (this.chains !== null && this.chains.size !== 0) throw new Error(`internal: ${this.chains.size} slots left in the slot chains with no record alive`);
      this.slabTop = 0;
      this.freeSlot = -1;
      this.coldQueue.clear(); // (lazy passes: entries of records gone)
    }
    if (this.kswapd !== null) this.c[C.pgdemote_kswapd] += this.kswapd.run((pfn, target) => this.demoted(pfn, target));
    if (this.passObserver !== null) this.flushEvents(this.passObserver, this.passNow);
    return true;
  }

  /**
   * kpromoted_migrate() for the record in `slot`, whose hot_node has a daemon: page_should_be_promoted() and
   * kpromote_page(). Counts, sets the page's state when the record goes, and returns the outcome; the caller
   * unlinks and frees the record unless it is Failed (kept, retried next pass).
   */
  private examine(slot: number): OutcomeCode {
    const c = this.c;
    const slab = this.slab;
    const slabI = this.slabI;
    const base = slot * STRIDE;
    const hot = slabI[2 * base + I_HOT_NODE]!;
    const placed = this.placedOfSlot(slot);
    let from: number;
    let kind: number;
    if (placed >= 0) {
      from = placed;
      kind = KIND_LRU;
    } else {
      const ranges = this.ranges;
      const r = ranges.find(slab[base + F_PFN]!);
      from = r >= 0 ? ranges.nids[r]! : -1;
      kind = r >= 0 ? ranges.kinds[r]! : KIND_NONE;
    }
    this.examinedFrom = from; // for the observer's event
    // page_should_be_promoted()
    let candidate = false;
    let outcome: OutcomeCode;
    if (kind === KIND_NONE || kind === KIND_DEVICE) {
      outcome = OutcomeCode.DroppedOffline;
    } else if (kind === KIND_NONLRU) {
      c[C.mig_non_lru]++;
      outcome = OutcomeCode.DroppedNonLru;
    } else if (from === hot) {
      c[C.mig_right_node]++;
      outcome = OutcomeCode.DroppedRightNode;
    } else {
      const age = this.passNow - slab[base + F_LAST_UPDATE]!; // (now - phi->last_update) in unsigned long
      if (age < 0 || age > this.cold) {
        c[C.mig_cold_old]++;
        outcome = OutcomeCode.DroppedColdOld;
      } else if (slabI[2 * base + I_FREQUENCY]! < this.threshold) {
        c[C.mig_cold_not_accessed]++;
        outcome = OutcomeCode.DroppedNotAccessed;
      } else {
        candidate = true;
        outcome = OutcomeCode.Promoted;
      }
    }
    const state = this.pages.state;
    const idx = slabI[2 * base + I_INDEX]! | 0;
    if (candidate) {
      c[C.mig_candidate]++;
      // migrate_misplaced_folio_prepare() + migrate_misplaced_folio()
      if (!this.nodes.migrate(from, hot)) return OutcomeCode.Failed;
      c[C.mig_promoted]++;
      c[C.numa_pages_migrated]++;
      // Not accessed on its new node yet, when wasted promotions are kept. (Its topHot bit is 0, as every tracked
      // page's: a page is tracked only on a slow-tier node, and the bit is set only on a top-tier one, by an access,
      // by kswapd, or just below: demoted() clears it.)
      // movedState(hot, false) written out: V8 inlined no call of it into examine() (which has spent its inlining
      // budget), and a promotion of a million pages made as many calls (14 ms of a 2 M replay's engine thread).
      state[idx] = ST_MOVED + 2 * hot + this.promotedAccessed;
      this.unaccessedMoved += 1 - this.promotedAccessed;
      // Without wasted promotions kept, the page counts as accessed on its new node now, its topHot bit set: its next
      // access is counted by phase 1 of record_batch(), as a top-tier one, with no load of its state byte.
      if (this.promotedAccessed === 1 && this.pages.dense && this.nodes.toptier[hot] === 1) this.topHot[idx >> 3]! |= 1 << (idx & 7);
      if (this.kswapd !== null && this.kswapd.promoted(slab[base + F_PFN]!, hot)) c[C.pingpong_promotions]++;
    } else {
      c[C.mig_dropped]++;
      // A dropped page that had moved keeps where it lives (accessed: it was, to be tracked).
      state[idx] = placed >= 0 ? ST_MOVED + 2 * placed + 1 : ST_SEEN; // movedState(placed, true); its topHot bit stays 0 (above)
    }
    return outcome;
  }

  /** The page at `idx` is not (or no longer) a top-tier page accessed since it moved (topHot). */
  private clearTopHot(idx: number): void {
    if (this.pages.dense) this.topHot[idx >> 3]! &= ~(1 << (idx & 7));
  }

  /**
   * Hashed page state doubled its table, and every page's index moved: each live record's I_INDEX is found again from
   * its pfn. (A table doubles a few times a replay, and only the records alive between two passes are walked.)
   */
  private reindex(): void {
    const slab = this.slab;
    const slabI = this.slabI;
    const pages = this.pages;
    const rt = this.ranges;
    const rregion = this.rregion;
    for (let slot = 0; slot < this.slabTop; slot++) {
      const base = slot * STRIDE;
      if (slabI[2 * base + I_INDEX] === -1) continue; // a free slot
      const pfn = slab[base + F_PFN]!;
      slabI[2 * base + I_INDEX] = pages.find(pages.offset(pfn, rregion[rt.find(pfn)]!));
    }
  }

  /** kfree(phi) after hlist_del_init(): the slot is freed (the caller set the page's state). */
  private untrack(slot: number, bucket: number): void {
    if (this.bs === 2) this.buckets[2 * bucket + 1]!--;
    if (this.chains !== null) this.chains.remove(this.slabI[slot * ISTRIDE + I_INDEX]!, slot);
    this.slabI[slot * ISTRIDE + I_INDEX] = -1; // a free slot (enableSlots())
    this.slabI[slot * ISTRIDE + I_NEXT] = this.freeSlot;
    if (this.placedLive > 0) this.freePlaced(slot);
    this.freeSlot = slot;
    this.tracked--;
    this.examinable--;
  }

  /** kswapd moved `pfn` (a top-tier page, never tracked) to `target`. */
  private demoted(pfn: number, target: number): void {
    const r = this.ranges.find(pfn);
    const idx = this.pages.index(pfn, this.rregion[r]!, true);
    const state = this.pages.state;
    const st = state[idx]!;
    if (st >= ST_MOVED && (st & 1) === 0) {
      this.wastedDemoted++;
      this.unaccessedMoved--;
    }
    state[idx] = movedState(target, true);
    if (this.pages.dense) {
      if (this.nodes.toptier[target] === 1) this.topHot[idx >> 3]! |= 1 << (idx & 7);
      else this.clearTopHot(idx);
    }
  }

  /** Gives the event of the record in `slot` (examined just now) to an observer that takes events in any order, at once. */
  private emit(obs: PassObserver, slot: number, outcome: OutcomeCode): void {
    const slab = this.slab;
    const slabI = this.slabI;
    const base = slot * STRIDE;
    const node = slabI[2 * base + I_HOT_NODE]!;
    obs.examined(this.passNow, node, slab[base + F_PFN]!, this.examinedFrom, node, outcome, this.since[slot]!);
  }

  /** Buffers the event of the record in `slot` (examined just now: its source node is examinedFrom) for its daemon. */
  private buffer(slot: number, outcome: OutcomeCode): void {
    const base = slot * STRIDE;
    const node = this.slabI[2 * base + I_HOT_NODE]!;
    let list = this.pending[node];
    if (list === undefined) list = this.pending[node] = [];
    list.push(this.slab[base + F_PFN]!, this.examinedFrom, outcome, this.since[slot]!);
  }

  private flushEvents(obs: PassObserver, now: number): void {
    for (const node of this.nodes.daemonNodes) {
      const list = this.pending[node];
      if (list === undefined || list.length === 0) continue;
      for (let i = 0; i < list.length; i += 4) {
        obs.examined(now, node, list[i]!, list[i + 1]!, node, list[i + 2]! as OutcomeCode, list[i + 3]!);
      }
      list.length = 0;
    }
    obs.passEnd?.(now);
  }
}

/**
 * The bucket heads (-1: empty) and, with a stride of 2, chain lengths of a table of 2^order buckets. Not a loop in the engine's constructor:
 * V8 compiled the whole constructor for it (44 ms on a background thread, at every replay's start).
 */
function emptyBuckets(order: number, stride: number): Int32Array {
  const buckets = new Int32Array(stride << order);
  // [-1, 0] (or [-1]) copied onto itself in doubling runs: 1 + order native copies, where a loop over the 2^17 entries
  // of the default order ran in V8's interpreter at every start (2.3 ms of a 10-line replay's 45).
  buckets[0] = -1;
  for (let n = stride; n < buckets.length; n *= 2) buckets.copyWithin(n, 0, n);
  return buckets;
}

