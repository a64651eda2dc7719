/**
 * The `pghot` engine: the later hot-page tracking design (pghot + kmigrated, 2026), docs/engines.md.
 * pghot_record_access() keeps a per-PFN record for lower-tier pages and marks it READY at the frequency
 * threshold; one kmigrated%d per lower-tier memory node wakes every kmigrated_sleep_ms, and when activated
 * walks its pages in ascending pfn order, taking READY records and promoting them in batches.
 */
import { PassClock } from './pass-clock.js';
import {
  P,
  PGHOT_COUNTER_NAMES,
  PGHOT_HINTFAULTS,
  pghotSource,
  resolvePghotConfig,
  type PghotConfig,
  type ResolvedPghotConfig,
} from './pghot-config.js';
import {
  DEFAULT_READY,
  PRECISE_READY,
  default_access_latency,
  default_update_record,
  jiffies_to_msecs,
  precise_access_latency,
  precise_update_record,
} from './pghot-record.js';
import { IGNORED_REASONS_PGHOT, IgnoredTally, KIND_NO_HOT_MAP } from './ignored.js';
import { PghotNodes } from './pghot-nodes.js';
import { Verdict, should_migrate_memory, type TargetPgdat } from './pghot-throttle.js';
import { msecs_to_jiffies } from './jiffies.js';
import { KIND_LRU, KIND_NONE, KIND_NONLRU, RangeTable } from './placement.js';
import { OutcomeCode, type Counter, type Engine, type PassObserver, type ReplaySummary } from './types.js';
import { OneRecord } from './one-record.js';

/** SECTION_SIZE_BITS on x86-64: kmigrated walks (and batches) one 128 MiB memory section at a time. */
const SECTION_SIZE_BITS = 27;

/**
 * A slot of a page migrated in this replay holds a placement instead of a record (a migrated page never gets a record
 * again: it now lives on a top-tier node). Precise mode (u32 records): PLACED | node, bit 30 being unused by its
 * layout (bits 27-30 are free).
 */
const PLACED = 0x40000000;
/** In a PLACED slot: the page was accessed since it moved (for the wasted-promotion metric; bit 29, free there). */
const ACCESSED = 0x20000000;
/**
 * Default mode (u8 records: freq in bits 0-1, never 0 in a record, as pghot_update_record() counts the access it
 * records): a placement is a non-zero value with freq 0, DEFAULT_PLACED, plus DEFAULT_ACCESSED once accessed since.
 * Its node is always the target node (kmigrated promotes to vm.pghot_target_nid in default mode).
 */
const DEFAULT_PLACED = 0x04;
const DEFAULT_ACCESSED = 0x08;
/** Most sections kept in PghotEngine's array besides its Map (2^20: 128 TiB of 4 KiB pages). */
const NEAR_SECTIONS_MAX = 1 << 20;
/** In a PLACED slot: the node (PGHOT_NID_MAX = 1023). */
const PLACED_NID = 0x3ff;

/**
 * One memory section's `hot_map` (mem_section->hot_map->phi[PAGES_PER_SECTION]), allocated when the
 * replay first records an access in it: u8 records in default mode, as the kernel's, u32 in precise mode. (Default
 * mode kept them in 32-bit slots before: 4 times the memory, and the slot's load was half of the hot loop's time.)
 */
interface Section {
  readonly phi: Uint8Array | Uint32Array;
  /**
   * Offsets whose record turned READY and was not taken by a walk yet. The walk visits these instead of
   * all PAGES_PER_SECTION slots: no other slot can hold a READY record (a walk takes every READY record
   * of the owner's pages and keeps the others listed), so the outcome is the kernel's.
   */
  readonly ready: number[];
  /**
   * The node of the section's first pfn (pfn_to_nid(start_pfn)): only its kmigrated walks the section
   * (kmigrated_do_work(): `nid != pgdat->node_id` continue), and the walk skips pages of other nodes.
   */
  readonly owner: number;
  /** PGHOT_SECTION_HOT_BIT. */
  hot: boolean;
}

/** The pghot engine (default mode, or precise mode with `precise: true`). */
export class PghotEngine implements Engine {
  readonly name = 'pghot';
  /** Optional observer of kmigrated passes (`--events`). Set before the first record. */
  observer: PassObserver | null = null;
  /** The resolved tunables. */
  readonly config: ResolvedPghotConfig;

  private readonly c = new Float64Array(P.COUNT);
  private readonly precise: boolean;
  private readonly hz: number;
  private readonly target: number;
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly period: number; // msecs_to_jiffies(kmigrated_sleep_ms)
  private readonly batchNr: number;
  private readonly rateLimit: number; // MB_TO_PAGES(rate), in pages per second
  private readonly pagesPerSection: number;
  private readonly enabled: number;
  /** A slot v holds a placement when v !== 0 && (v & placedMask) === placedValue (PLACED, DEFAULT_PLACED above). */
  private readonly placedMask: number;
  private readonly placedValue: number;
  /** The accessed-since-it-moved bit of a placement. */
  private readonly accessedBit: number;

  /** The topology's ranges (a granule table in front of a binary search). */
  private readonly rangeTable: RangeTable;
  /** record_access()'s one record, as columns. */
  private readonly one = new OneRecord();
  private readonly nodes: PghotNodes;
  private readonly toptier: Uint8Array; // nodes.toptier, for the hot path

  private readonly sections = new Map<number, Section>();
  /** The same sections by number, for numbers below `nearSections` (the topology's span, at most 2^20): no hashing per access. */
  private readonly near: (Section | undefined)[];
  private readonly nearSections: number;
  private tracked = 0; // non-zero phi_t slots
  /** Per lower-tier node: sections with PGHOT_SECTION_HOT_BIT set, in the order they were set. */
  private readonly hotSections: number[][] = [];
  /** PGDAT_KMIGRATED_ACTIVATE per node. */
  private readonly activate: Uint8Array;
  private activeNodes = 0;

  private records = 0;
  /**
   * What compare and sweep report of pghot, which has no such counter: accesses to a page that lived on a
   * top-tier node then (as rfc-v1's record_toptier test, whatever the access's source or nid), and pages promoted
   * and not accessed since. Kept here, where each access's node is known anyway (multi/metrics.ts).
   */
  private toptierHits = 0;
  private unaccessedPromoted = 0;
  /** Accesses returned early for their range (no range, ZONE_DEVICE, non-LRU): the kernel counts none of them. */
  private readonly ignored = new IgnoredTally();
  private readonly clock: PassClock;

  // One kmigrated_walk_zone()'s batch (pfns in isolation order) and, with an observer, its events.
  private batch: number[] = [];
  private batchEvents: number[] = [];
  private evPfn: number[] = [];
  private evTo: number[] = [];
  private evOutcome: number[] = [];

  constructor(cfg: PghotConfig) {
    const r = resolvePghotConfig(cfg);
    this.config = r;
    this.precise = r.precise;
    this.hz = r.hz;
    this.target = r.target_nid;
    this.threshold = r.freq_threshold;
    this.windowMs = r.freq_window_ms;
    this.period = Math.max(1, msecs_to_jiffies(r.kmigrated_sleep_ms, r.hz));
    // No kmigrated activated: wait_event_timeout() times out with the condition false, the passes do nothing.
    this.clock = new PassClock(this.period, { pass: (now) => this.pass(now), idle: () => this.activeNodes === 0 });
    this.batchNr = r.kmigrated_batch_nr;
    const pageShift = Math.log2(r.page_size);
    // MB_TO_PAGES(x) = x << (20 - PAGE_SHIFT), evaluated in unsigned int (the sysctl's type).
    this.rateLimit = (r.promote_rate_limit_MBps * 2 ** (20 - pageShift)) % 4294967296;
    this.pagesPerSection = 2 ** (SECTION_SIZE_BITS - pageShift);
    let maxEnd = 0;
    for (const n of r.topology.nodes) for (const pr of n.pfn_ranges) maxEnd = Math.max(maxEnd, pr.end);
    this.nearSections = Math.min(Math.ceil(maxEnd / this.pagesPerSection), NEAR_SECTIONS_MAX);
    this.near = new Array<Section | undefined>(this.nearSections).fill(undefined);
    this.enabled = r.enabled_sources;
    this.placedMask = r.precise ? PLACED : 3;
    this.placedValue = r.precise ? PLACED : 0;
    this.accessedBit = r.precise ? ACCESSED : DEFAULT_ACCESSED;

    this.rangeTable = new RangeTable(r.topology);
    this.nodes = new PghotNodes(r.topology, pageShift);
    this.toptier = this.nodes.toptier;
    this.activate = new Uint8Array(this.nodes.size);
    for (const id of this.nodes.kmigratedNodes) this.hotSections[id] = [];
  }

  /** pghot_record_access(pfn, nid, src, now), after running the kmigrated passes due before `time`: record_batch() of one. */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.one.give(this, pfn, nid, src, time);
  }

  /**
   * pghot_record_access() for the first `n` records of the columns, each after the kmigrated passes due before it: the
   * hot loop. The counters of the common outcomes live in locals, flushed before every pass and at the end, so a pass
   * and its observer see exact counters; the range of a pfn comes from the granule table (RangeTable). An access that
   * gets as far as a lower-tier LRU page's record goes to recordLower(), out of the loop.
   */
  record_batch(Pf: Float64Array, Nd: Int32Array, Sr: Int32Array, Tm: Float64Array, n: number): void {
    const c = this.c;
    const clock = this.clock;
    const rt = this.rangeTable;
    const rnid = rt.nids;
    const rkind = rt.kinds;
    const toptierOf = this.toptier;
    const near = this.near;
    const nearSections = this.nearSections;
    const pps = this.pagesPerSection;
    const precise = this.precise;
    const enabled = this.enabled;
    const pmask = this.placedMask;
    const pval = this.placedValue;
    let flushed = 0; // records before this index are in this.records
    let hint = 0;
    let hw = 0;
    let local = 0;
    let toptier = 0;
    let topHits = 0;
    let next = clock.next;
    for (let i = 0; i < n; i++) {
      const time = Tm[i]!;
      if (time >= next) {
        this.records += i - flushed;
        flushed = i;
        c[P.recorded_hintfaults] += hint;
        c[P.recorded_hwhints] += hw;
        c[P.local] += local;
        c[P.toptier] += toptier;
        this.toptierHits += topHits;
        hint = hw = local = toptier = topHits = 0;
        clock.advance(time);
        next = clock.next;
      }
      const pfn = Pf[i]!;
      const nid = Nd[i]!;
      // pghot_nid_valid(): default mode accepts any nid; precise mode needs NUMA_NO_NODE or an online top-tier node.
      if (precise && !this.nodes.preciseNidValid(nid)) {
        c[P.nid_invalid]++;
        this.placementOnly(pfn);
        continue;
      }
      const s = pghotSource(Sr[i]!);
      if (s < 0) {
        c[P.src_invalid]++; // default: return -EINVAL
        this.placementOnly(pfn);
        continue;
      }
      if ((enabled & (1 << s)) === 0) {
        c[P.src_disabled]++; // static branch off: return 0
        this.placementOnly(pfn);
        continue;
      }
      if (s === PGHOT_HINTFAULTS) hint++;
      else hw++;

      const nr = Math.floor(pfn / pps);
      const off = pfn - nr * pps;
      const sec = nr < nearSections ? near[nr] : this.sections.get(nr);
      const v = sec === undefined ? 0 : sec.phi[off]!;
      let node: number;
      let kind: number;
      if (v !== 0 && (v & pmask) === pval) {
        node = this.accessPlaced(sec!, off, v);
        kind = KIND_LRU; // only LRU folios are migrated
      } else {
        const r = rt.find(pfn);
        node = r < 0 ? -1 : rnid[r]!;
        kind = r < 0 ? KIND_NONE : rkind[r]!;
      }
      const top = node >= 0 && toptierOf[node] === 1;
      if (top) topHits++;
      // pfn_to_online_page() NULL or is_zone_device_page(): return 0.
      if (kind !== KIND_LRU && kind !== KIND_NONLRU) {
        c[P.not_lru]++;
        this.ignored.add(kind, pfn);
        continue;
      }
      if (node === nid) {
        local++; // src_nid == nid
        continue;
      }
      if (top) {
        toptier++; // record only accesses from lower tiers
        continue;
      }
      if (kind !== KIND_LRU) {
        c[P.not_lru]++; // !folio_test_lru()
        this.ignored.add(kind, pfn);
        continue;
      }
      this.recordLower(sec, nr, off, v, pfn, nid, time, node);
    }
    this.records += n - flushed;
    c[P.recorded_hintfaults] += hint;
    c[P.recorded_hwhints] += hw;
    c[P.local] += local;
    c[P.toptier] += toptier;
    this.toptierHits += topHits;
  }

  /** The record of an access to a lower-tier LRU page (slot value `v` of its section, undefined without a hot map yet). */
  private recordLower(found: Section | undefined, nr: number, off: number, v: number, pfn: number, nid: number, time: number, node: number): void {
    const c = this.c;
    let sec = found;
    if (sec === undefined) {
      // pghot_setup_hot_map(): a hot map only for a section whose first pfn is online and not top tier.
      const owner = this.sectionOwner(nr);
      if (owner < 0 || this.toptier[owner] === 1) {
        this.ignored.add(KIND_NO_HOT_MAP, pfn); // !hot_map: goto out, nothing counted
        return;
      }
      sec = { phi: this.precise ? new Uint32Array(this.pagesPerSection) : new Uint8Array(this.pagesPerSection), ready: [], owner, hot: false };
      this.sections.set(nr, sec);
      if (nr < this.nearSections) this.near[nr] = sec;
    }
    c[P.recorded_accesses]++;
    const hotness = this.precise
      ? precise_update_record(v, nid === -1 ? this.target : nid, time, this.windowMs, this.threshold, this.hz)
      : default_update_record(v, time, this.windowMs, this.threshold, this.hz);
    sec.phi[off] = hotness;
    if (v === 0) this.tracked++;
    if (this.isReady(hotness)) {
      if (v === 0 || !this.isReady(v)) sec.ready.push(off);
      // set_bit(PGHOT_SECTION_HOT_BIT) and set_bit(PGDAT_KMIGRATED_ACTIVATE, &page_pgdat(page)->flags)
      c[P.ready]++;
      if (!sec.hot) {
        sec.hot = true;
        this.hotSections[sec.owner]!.push(nr);
      }
      // page_pgdat(page): the page's node, which is not the section's owner when a range starts mid-section.
      if (this.activate[node] === 0) {
        this.activate[node] = 1;
        this.activeNodes++;
      }
    }
  }

  /** Where the page of an access that returns before pghot looks at it lives: the metrics above only. */
  private placementOnly(pfn: number): void {
    const nr = Math.floor(pfn / this.pagesPerSection);
    const off = pfn - nr * this.pagesPerSection;
    const sec = nr < this.nearSections ? this.near[nr] : this.sections.get(nr);
    const v = sec === undefined ? 0 : sec.phi[off]!;
    let node: number;
    if (this.isPlaced(v)) node = this.accessPlaced(sec!, off, v);
    else {
      node = this.nidOf(pfn);
    }
    if (node >= 0 && this.toptier[node] === 1) this.toptierHits++;
  }

  /** An access to a page migrated in this replay (slot value `v`): marks it accessed since; returns its node. */
  private accessPlaced(sec: Section, off: number, v: number): number {
    if ((v & this.accessedBit) === 0) {
      sec.phi[off] = v | this.accessedBit;
      this.unaccessedPromoted--;
    }
    return this.placedNode(v);
  }

  /** The node of pfn's range (where the page lives unless it moved), -1 when in no range. */
  private nidOf(pfn: number): number {
    const r = this.rangeTable.find(pfn);
    return r < 0 ? -1 : this.rangeTable.nids[r]!;
  }

  /** Whether slot value `v` is a placement, not a record. */
  private isPlaced(v: number): boolean {
    return v !== 0 && (v & this.placedMask) === this.placedValue;
  }

  /** The node of placement `v`. */
  private placedNode(v: number): number {
    return this.precise ? v & PLACED_NID : this.target;
  }

  /** Accesses to a page that lived on a top-tier node then (every record given, whatever pghot made of it). */
  get toptier_accesses(): number {
    return this.toptierHits;
  }

  /** Pages promoted and not accessed since (wasted promotions). */
  get unaccessed_promoted(): number {
    return this.unaccessedPromoted;
  }

  /** Runs the final pass: the first pass time strictly greater than every record time. */
  finish(): void {
    this.clock.finish();
  }

  /** Counters in print order (PGHOT_COUNTER_NAMES). */
  counters(): Counter[] {
    // Node stats are kept per target pgdat; /proc/vmstat shows their sum over nodes.
    const c = this.c;
    c[P.pgpromote_candidate] = this.nodes.sum('pgpromote_candidate');
    c[P.pgpromote_candidate_nrl] = this.nodes.sum('pgpromote_candidate_nrl');
    return PGHOT_COUNTER_NAMES.map((name, i) => ({ name, value: c[i]! }));
  }

  /** Records, passes, tracked records (non-zero phi_t slots) and budgets. */
  next_pass_time(): number {
    return this.clock.next;
  }

  summary(): ReplaySummary {
    return {
      records: this.records,
      passes: this.clock.passes,
      tracked: this.tracked,
      unexamined: this.stranded(), // every lower-tier node has a kmigrated thread, but it walks only its own sections
      first_pass: this.clock.first,
      last_pass: this.clock.last,
      free_pages: this.nodes.budgets(),
      ignored: this.ignored.summary(this.records, IGNORED_REASONS_PGHOT),
    };
  }

  /**
   * READY records that no kmigrated will ever take, by target node: their page is not on the node of its
   * section's first pfn, and kmigrated_do_work() of a node walks only the sections that start on it.
   */
  private stranded(): { hot_node: number; records: number; reason: string }[] {
    const byTarget = new Map<number, number>();
    for (const [nr, sec] of this.sections) {
      const base = nr * this.pagesPerSection;
      for (const off of new Set(sec.ready)) {
        const phi = sec.phi[off]!;
        if (this.isPlaced(phi) || !this.isReady(phi)) continue;
        if (this.nidOf(base + off) === sec.owner) continue;
        const target = this.precise ? phi & 1023 : this.target;
        byTarget.set(target, (byTarget.get(target) ?? 0) + 1);
      }
    }
    const reason =
      'their pages lie in memory sections that begin on another node, and a kmigrated walks only the sections that begin on its node ' +
      '(mm/pghot.c kmigrated_do_work()); `kpromo topo` lists the ranges that start mid-section';
    return [...byTarget].sort((a, b) => a[0] - b[0]).map(([hot_node, records]) => ({ hot_node, records, reason }));
  }

  /** kmigrated period in jiffies. */
  get period_jiffies(): number {
    return this.period;
  }

  /** The raw phi_t record of a pfn (0 when none). */
  record_of(pfn: number): number {
    const nr = Math.floor(pfn / this.pagesPerSection);
    const v = this.sections.get(nr)?.phi[pfn - nr * this.pagesPerSection] ?? 0;
    return this.isPlaced(v) ? 0 : v;
  }

  /** Free pages of node `id` now (Infinity when it has no budget). */
  free_pages_of(id: number): number {
    return this.nodes.freePagesOf(id);
  }

  /** Node the page lives on now, -1 when in no range. */
  pfn_to_nid(pfn: number): number {
    const nr = Math.floor(pfn / this.pagesPerSection);
    const v = this.sections.get(nr)?.phi[pfn - nr * this.pagesPerSection] ?? 0;
    if (this.isPlaced(v)) return this.placedNode(v);
    return this.nidOf(pfn);
  }

  /** The target node's pglist_data state (rate limit, thresholds, candidate stats). */
  pgdat_of(id: number): TargetPgdat | undefined {
    return this.nodes.pgdatOf(id);
  }

  private isReady(phi: number): boolean {
    return this.precise ? phi >= PRECISE_READY : (phi & DEFAULT_READY) !== 0;
  }

  /**
   * pfn_to_online_page(start_pfn) and its node, from the topology's ranges (a page's physical node never
   * changes; migration moves its data): -1 when the first pfn is in no range or in a ZONE_DEVICE range.
   */
  private sectionOwner(nr: number): number {
    const r = this.rangeTable.find(nr * this.pagesPerSection);
    if (r < 0) return -1;
    const kind = this.rangeTable.kinds[r]!;
    return kind === KIND_LRU || kind === KIND_NONLRU ? this.rangeTable.nids[r]! : -1;
  }

  /** One pass at jiffies `now`: every kmigrated%d, ascending node id, runs kmigrated_do_work() if activated. */
  private pass(now: number): void {
    for (const node of this.nodes.kmigratedNodes) {
      if (this.activate[node] === 1) this.doWork(node, now);
    }
    this.observer?.passEnd?.(now);
  }

  /**
   * kmigrated_do_work(): clear PGDAT_KMIGRATED_ACTIVATE, then for each section of this node whose HOT bit
   * test_and_clear_bit() finds set, ascending, kmigrated_walk_zone() over the section's pfns.
   */
  private doWork(src: number, now: number): void {
    this.activate[src] = 0;
    this.activeNodes--;
    this.c[P.kmigrated_runs]++;
    const list = this.hotSections[src]!;
    const hot = Float64Array.from(list).sort();
    list.length = 0;
    const nowMs = jiffies_to_msecs(now, this.hz);
    for (let i = 0; i < hot.length; i++) {
      const nr = hot[i]!;
      const sec = this.sections.get(nr)!;
      sec.hot = false; // test_and_clear_bit(PGHOT_SECTION_HOT_BIT)
      this.walkSection(sec, nr, src, now, nowMs);
    }
    if (this.observer !== null) this.emit(this.observer, now, src);
  }

  /**
   * kmigrated_walk_zone(start_pfn, start_pfn + PAGES_PER_SECTION, src_nid): takes every READY record of
   * the section's pages that live on `src`, ascending pfn, and batches the promotable ones. The list, its
   * target and its count start empty for every section.
   */
  private walkSection(sec: Section, nr: number, src: number, now: number, nowMs: number): void {
    const c = this.c;
    const obs = this.observer;
    const phis = sec.phi;
    const precise = this.precise;
    const base = nr * this.pagesPerSection;
    const offs = Int32Array.from(sec.ready).sort();
    sec.ready.length = 0;
    let curNid = -1;
    let batchCount = 0;
    for (let i = 0; i < offs.length; i++) {
      const off = offs[i]!;
      if (i > 0 && off === offs[i - 1]) continue; // turned READY twice (precise mode can clear it in between)
      const phi = phis[off]!;
      // folio_nid(folio) != src_nid: skip (the record stays, as does its place in the list).
      if (this.isPlaced(phi)) continue;
      // pghot_get_record(): -EINVAL unless READY.
      if (precise ? phi < PRECISE_READY : (phi & DEFAULT_READY) === 0) continue;
      const pfn = base + off;
      if (this.nidOf(pfn) !== src) {
        sec.ready.push(off);
        continue;
      }
      // The record is cleared to 0 when taken, whatever happens to the page next.
      phis[off] = 0;
      this.tracked--;
      c[P.examined]++;
      const nid = precise ? phi & 1023 : this.target;
      const time = precise ? (phi >>> 13) & 0x3fff : (phi >> 2) & 31;
      const ev = obs === null ? -1 : this.event(pfn, nid, OutcomeCode.Failed);
      if (nid === src) {
        if (ev >= 0) this.evOutcome[ev] = OutcomeCode.DroppedRightNode; // folio_nid(folio) == nid
        continue;
      }
      const verdict = should_migrate_memory(this.nodes.pgdatFor(nid), 1, {
        freeSpaceEnough: this.nodes.freeSpaceEnough(nid),
        defTh: this.windowMs,
        rateLimit: this.rateLimit,
        nowMs,
        latencyMs: precise ? precise_access_latency(time, now, this.hz) : default_access_latency(time, now, this.hz),
      });
      if (verdict === Verdict.TooOld) {
        c[P.too_old]++;
        if (ev >= 0) this.evOutcome[ev] = OutcomeCode.DroppedColdOld;
        continue;
      }
      if (verdict === Verdict.RateLimited) {
        c[P.rate_limited]++;
        continue;
      }
      // migrate_misplaced_folio_prepare(folio, NULL, nid): migrate_balanced_pgdat() + isolation.
      if (!this.nodes.balanced(nid)) {
        c[P.prepare_failed]++;
        continue;
      }
      if (curNid === -1) curNid = nid;
      if (curNid !== nid) {
        // If NID changed, flush the previous batch first
        if (this.batch.length > 0) this.flush(curNid, src);
        curNid = nid;
        batchCount = 0;
      }
      this.batch.push(pfn);
      this.batchEvents.push(ev);
      if (++batchCount > this.batchNr) {
        this.flush(curNid, src);
        batchCount = 0;
      }
    }
    if (this.batch.length > 0) this.flush(curNid, src);
  }

  /**
   * promote_misplaced_memcg_folios(&list, nid) -> migrate_pages(): the list was built with list_add(), so
   * the last folio isolated is migrated first. Each counts numa_pages_migrated and pgpromote_success.
   */
  private flush(nid: number, src: number): void {
    const batch = this.batch;
    const events = this.batchEvents;
    const c = this.c;
    c[P.batches]++;
    for (let i = batch.length - 1; i >= 0; i--) {
      const ev = events[i]!;
      if (this.nodes.migrate(src, nid)) {
        c[P.numa_pages_migrated]++;
        c[P.pgpromote_success]++;
        this.place(batch[i]!, nid);
        if (ev >= 0) this.evOutcome[ev] = OutcomeCode.Promoted;
      } else {
        c[P.migrate_failed]++; // putback_movable_pages(): the page stays, its record is gone
      }
    }
    batch.length = 0;
    events.length = 0;
  }

  /** The page now lives on node `nid` (pfn_to_nid() of later accesses and walks). */
  private place(pfn: number, nid: number): void {
    const nr = Math.floor(pfn / this.pagesPerSection);
    const sec = this.sections.get(nr)!; // the page had a record, so its section exists
    if (!this.precise && nid !== this.target) throw new Error(`pghot: default mode placed pfn ${pfn} on node ${nid}, not the target node ${this.target}`);
    sec.phi[pfn - nr * this.pagesPerSection] = this.precise ? PLACED + nid : DEFAULT_PLACED; // not accessed since
    this.unaccessedPromoted++;
  }

  private event(pfn: number, to: number, outcome: OutcomeCode): number {
    this.evPfn.push(pfn);
    this.evTo.push(to);
    this.evOutcome.push(outcome);
    return this.evPfn.length - 1;
  }

  /** Reports one daemon's examined pages in walk (ascending pfn) order. */
  private emit(obs: PassObserver, now: number, node: number): void {
    for (let i = 0; i < this.evPfn.length; i++) {
      obs.examined(now, node, this.evPfn[i]!, node, this.evTo[i]!, this.evOutcome[i]! as OutcomeCode);
    }
    this.evPfn.length = 0;
    this.evTo.length = 0;
    this.evOutcome.length = 0;
  }
}
