/**
 * The kpromoted engine of "[RFC PATCH 2/4] mm: kpromoted" (March 2025), SPEC section 2.
 * `rfc-v1` is the patch exactly as posted; `rfc-v1-fixed` changes only what its comments say it meant
 * (the window test's operand order, and a new record counting its first access once).
 */
import { C, DEMOTION_COUNTER_NAMES, RFC_V1_COUNTER_NAMES } from './counters.js';
import { Kswapd } from './demotion.js';
import { Nodes } from './nodes.js';
import { BucketSet } from './bucket-set.js';
import { PassClock } from './pass-clock.js';
import { validateRfcV1Config, type RfcV1Config } from './config.js';
import { hash_64 } from './hash.js';
import { IgnoredTally } from './ignored.js';
import { msecs_to_jiffies } from './jiffies.js';
import { PageIndex } from './page-index.js';
import { PlacedIndex, placedAccessed, placedCode, placedNode } from './placed-index.js';
import { KIND_DEVICE, KIND_LRU, KIND_NONE, KIND_NONLRU, RangeMap } from './placement.js';
import { OutcomeCode, type Counter, type Engine, type PassObserver, type ReplaySummary } from './types.js';

/** Which reading of the patch an RfcV1Engine models. */
export type RfcVariant = 'rfc-v1' | 'rfc-v1-fixed';

// struct page_hotness_info, one Float64Array slot per record.
const STRIDE = 8;
const F_PFN = 0;
const F_LAST_UPDATE = 1;
const F_FREQUENCY = 2;
const F_HOT_NODE = 3;
const F_NEXT = 4; // hlist next (slot) or -1; next free slot while free
const F_PLACED = 5; // node the page was migrated to in this replay, or -1 (then the pfn ranges say)
const F_TRACKED_SINCE = 6; // time of the access that created the record (analysis only)
const F_BUCKET = 7; // hash_64(pfn, order), cached


/** The rfc-v1 / rfc-v1-fixed engine. Takes one access at a time; passes run on the running-maximum clock. */
export class RfcV1Engine implements Engine {
  readonly name: RfcVariant;
  /** Optional observer of migrate passes (events, timeline). Set before the first record. */
  observer: PassObserver | null = null;

  private readonly c = new Float64Array(C.COUNT);
  private readonly fixed: boolean;
  private readonly window: number; // msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)
  private readonly cold: number; // 2 * msecs_to_jiffies(KPROMOTED_FREQ_WINDOW)
  private readonly period: number; // msecs_to_jiffies(KPROMOTE_DELAY)
  private readonly threshold: number;
  private readonly defaultNode: number;
  private readonly order: number;

  private readonly ranges: RangeMap;
  private readonly nodes: Nodes;

  /** Tracked records: pfn -> slot (small: only records alive between passes). */
  private readonly index = new PageIndex(12);
  /** Pages that moved in this replay and have no record: where they live (the largest table). */
  private readonly placed = new PlacedIndex(12);
  private slab = new Float64Array(STRIDE * 4096);
  private slabTop = 0; // slots ever used
  private freeSlot = -1;
  private readonly heads: Int32Array; // page_hotness_hash[]: first slot of each bucket
  private readonly occupied: BucketSet;
  private readonly chainLength: Int32Array; // records per bucket
  private longestChain = 0;
  private tracked = 0;
  private peakTracked = 0;
  /** Accesses since the last pass by target node (hot_node if it has a daemon, else the last slot), and top-tier hits. */
  private readonly intervalAccesses: Float64Array;
  private readonly intervalToptier: Float64Array;
  /** Records whose hot_node has a daemon: when 0 a pass can do nothing and is skipped in O(1). */
  private examinable = 0;



  /** --demotion: kswapd of the budgeted top-tier nodes. */
  private readonly kswapd: Kswapd | null;

  private records = 0;
  /** Accesses ignored by SPEC 2.2 step 3 (no counter in the patch). */
  private readonly ignored = new IgnoredTally();
  private readonly hz_: number;
  private readonly clock: PassClock;
  private pending: number[][] = []; // per daemon, (pfn, from, outcome, tracked_since) of the current pass

  /** An engine over `cfg`; `variant` picks the window test (as posted, or as intended). */
  constructor(cfg: RfcV1Config, variant: RfcVariant = 'rfc-v1') {
    validateRfcV1Config(cfg);
    this.name = variant;
    this.fixed = variant === 'rfc-v1-fixed';
    this.hz_ = cfg.hz;
    this.window = msecs_to_jiffies(cfg.window_ms, cfg.hz);
    this.cold = 2 * this.window;
    this.period = msecs_to_jiffies(cfg.period_ms, cfg.hz);
    this.clock = new PassClock(this.period, {
      pass: (now) => this.pass(now),
      // No record any daemon would look at: passes change nothing.
      idle: () => this.examinable === 0,
      // The first skipped pass closes the accesses since the last pass for an observer; the rest had none.
      skipped: (now) => this.observer?.passEnd?.(now),
    });
    this.threshold = cfg.threshold;
    this.defaultNode = cfg.default_node;
    this.order = cfg.hash_order;
    this.heads = new Int32Array(1 << cfg.hash_order).fill(-1);
    this.occupied = new BucketSet(1 << cfg.hash_order);
    this.chainLength = new Int32Array(1 << cfg.hash_order);

    this.ranges = new RangeMap(cfg.topology);
    const nodes = (this.nodes = new Nodes(cfg.topology));
    this.kswapd = cfg.demotion === true ? new Kswapd(nodes) : null;
    this.intervalAccesses = new Float64Array(nodes.size + 1);
    this.intervalToptier = new Float64Array(nodes.size + 1);
  }

  /** kpromoted_record_access(pfn, nid, src, now), after running the passes due before `time`. */
  record_access(pfn: number, nid: number, src: number, time: number): void {
    if (time >= this.clock.next) this.clock.advance(time);
    const c = this.c;
    this.records++;
    c[C.recorded_accesses]++;
    if (src === 0) c[C.recorded_hwhints]++;
    else if (src === 1) c[C.recorded_pgtscans]++;
    this.apply(pfn, nid, time);
  }

  /** record_access() for the first `n` records of typed arrays (one monomorphic loop per engine). */
  record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
    for (let i = 0; i < n; i++) this.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
  }

  /** kpromoted_record_access() past the counters: placement, the record, the window test, hot_node. */
  private apply(pfn: number, nid: number, time: number): void {
    const c = this.c;
    // pfn_to_nid(), pfn_to_online_page(), is_zone_device_page(), folio_test_lru()
    const index = this.index;
    const slab = this.slab;
    const pos = index.find(pfn);
    let slot = -1;
    let node: number;
    let kind: number;
    let moved = false;
    if (pos >= 0) {
      slot = index.valueAt(pos);
      const placed = slab[slot * STRIDE + F_PLACED]!;
      if (placed >= 0) {
        node = placed;
        kind = KIND_LRU;
      } else {
        this.ranges.lookup(pfn);
        node = this.ranges.nid;
        kind = this.ranges.kind;
      }
    } else {
      const code = this.placed.get(pfn);
      if (code !== 0) {
        moved = true;
        node = placedNode(code);
        kind = KIND_LRU; // only LRU folios are migrated
        if (!placedAccessed(code)) this.placed.set(pfn, placedCode(node, true)); // first access since it moved
      } else {
        this.ranges.lookup(pfn);
        node = this.ranges.nid;
        kind = this.ranges.kind;
      }
    }
    const hot = nid === -1 ? this.defaultNode : nid;
    const nodes = this.nodes;
    const target = nodes.hasDaemon(hot) ? hot : nodes.size;
    this.intervalAccesses[target]!++;
    // "Record only accesses from lower tiers": node_is_toptier(pfn_to_nid(pfn)); nid -1 is not top tier.
    if (node >= 0 && nodes.toptier[node] === 1) {
      c[C.record_toptier]++;
      this.intervalToptier[target]!++;
      if (this.kswapd !== null) this.kswapd.lru.touch(pfn, node);
      return;
    }
    if (kind !== KIND_LRU) {
      this.ignored.add(kind, pfn); // pfn_to_online_page() NULL, ZONE_DEVICE or !folio_test_lru(): return
      return;
    }

    let base: number;
    let created = false;
    if (slot < 0) {
      // kpromoted_lookup(): kzalloc, frequency = 1, last_update = recency = now, hlist_add_head.
      slot = this.allocSlot();
      base = slot * STRIDE;
      const s = this.slab;
      s[base + F_PFN] = pfn;
      s[base + F_LAST_UPDATE] = time;
      s[base + F_FREQUENCY] = 1;
      s[base + F_HOT_NODE] = 0;
      // hlist_add_head(): the newest record is the head of its bucket.
      const bucket = hash_64(pfn, this.order);
      s[base + F_NEXT] = this.heads[bucket]!;
      if (this.heads[bucket] === -1) this.occupied.add(bucket);
      this.heads[bucket] = slot;
      const chain = ++this.chainLength[bucket]!;
      if (chain > this.longestChain) this.longestChain = chain;
      s[base + F_PLACED] = moved ? node : -1;
      s[base + F_TRACKED_SINCE] = time;
      s[base + F_BUCKET] = bucket;
      index.insertAt(pos, pfn, slot);
      if (moved) this.placed.delete(pfn); // the record holds where it lives now
      if (++this.tracked > this.peakTracked) this.peakTracked = this.tracked;
      c[C.record_added]++;
      created = true;
    } else {
      base = slot * STRIDE;
      c[C.record_exists]++;
    }

    const s = this.slab;
    const last = s[base + F_LAST_UPDATE]!;
    if (this.fixed) {
      // As intended: (now - last_update) > window starts a new window; a new record counts its first access once.
      const age = time - last; // u64: negative wraps to >= 2^64 - 2^53, always > window
      if (age < 0 || age > this.window) {
        s[base + F_FREQUENCY] = 1;
        s[base + F_LAST_UPDATE] = time;
      } else if (!created) {
        s[base + F_FREQUENCY] = (s[base + F_FREQUENCY]! + 1) | 0;
      }
    } else {
      // mm/kpromoted.c as posted, operands reversed: (last_update - now) > window in unsigned long.
      const d = last - time;
      if (d < 0 || d > this.window) {
        s[base + F_FREQUENCY] = 1; // "New window"
        s[base + F_LAST_UPDATE] = time;
      } else {
        s[base + F_FREQUENCY] = (s[base + F_FREQUENCY]! + 1) | 0; // int frequency
      }
    }
    // phi->recency = now is not stored: no code path of the patch reads it.

    const old = s[base + F_HOT_NODE]!;
    if (created) {
      if (this.nodes.hasDaemon(hot)) this.examinable++;
    } else if (old !== hot) {
      this.examinable += (this.nodes.hasDaemon(hot) ? 1 : 0) - (this.nodes.hasDaemon(old) ? 1 : 0);
    }
    s[base + F_HOT_NODE] = hot;
  }

  /** Runs the final pass: the first pass time strictly greater than every record time. */
  finish(): void {
    this.clock.finish();
  }

  /** Counters in vmstat order. */
  counters(): Counter[] {
    const names = this.kswapd !== null ? [...RFC_V1_COUNTER_NAMES, ...DEMOTION_COUNTER_NAMES] : RFC_V1_COUNTER_NAMES;
    return names.map((name, i) => ({ name, value: this.c[i]! }));
  }

  /** Records, passes, tracked records and those no daemon will ever examine. */
  summary(): ReplaySummary {
    const byNode = new Map<number, number>();
    this.forEachRecord((base) => {
      const hot = this.slab[base + F_HOT_NODE]!;
      if (!this.nodes.hasDaemon(hot)) byNode.set(hot, (byNode.get(hot) ?? 0) + 1);
    });
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
    return this.tracked;
  }

  /** Free pages of node `id` now (Infinity when it has no budget). */
  free_pages_of(id: number): number {
    return this.nodes.freeOf(id);
  }

  /** Node the page lives on now (pfn_to_nid), -1 when in no range. */
  pfn_to_nid(pfn: number): number {
    const v = this.index.get(pfn, -1);
    if (v >= 0 && this.slab[v * STRIDE + F_PLACED]! >= 0) return this.slab[v * STRIDE + F_PLACED]!;
    const code = this.placed.get(pfn);
    if (code !== 0) return placedNode(code);
    this.ranges.lookup(pfn);
    return this.ranges.nid;
  }

  /** Time of the first record (T0), or null before it. */
  get first_record_time(): number | null {
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
   * for targets without a daemon; `toptier` likewise for the ones that hit a top-tier page. Resets both.
   */
  take_interval_accesses(): { accesses: Float64Array; toptier: Float64Array } {
    const out = { accesses: this.intervalAccesses.slice(), toptier: this.intervalToptier.slice() };
    this.intervalAccesses.fill(0);
    this.intervalToptier.fill(0);
    return out;
  }

  /** Records whose hot_node has no daemon, now. */
  get unexamined_records(): number {
    return this.tracked - this.examinable;
  }

  /** Most records in the hash table at once, and the longest bucket chain seen. */
  get peak(): { records: number; longest_chain: number } {
    return { records: this.peakTracked, longest_chain: this.longestChain };
  }

  /** Pages migrated in this replay that were never accessed after they moved (and are not tracked again). */
  wasted_promotions(): number {
    let n = 0;
    this.placed.forEach((_pfn, code) => {
      if (!placedAccessed(code)) n++;
    });
    return n + (this.kswapd?.wastedDemoted ?? 0);
  }

  /** The record of `pfn` (frequency, last_update, hot_node), or null when it is not tracked. */
  record_of(pfn: number): { frequency: number; last_update: number; hot_node: number; tracked_since: number } | null {
    const v = this.index.get(pfn, -1);
    if (v < 0) return null;
    const base = v * STRIDE;
    const s = this.slab;
    return {
      frequency: s[base + F_FREQUENCY]!,
      last_update: s[base + F_LAST_UPDATE]!,
      hot_node: s[base + F_HOT_NODE]!,
      tracked_since: s[base + F_TRACKED_SINCE]!,
    };
  }


  /**
   * One migrate pass at jiffies `now`: every kpromoted%d daemon runs kpromoted_migrate(), ascending node id.
   * Daemons only touch records whose hot_node is their node, their targets are top-tier CPU nodes and the
   * pages' nodes are not, so one walk of the buckets gives the same result as one walk per daemon; the
   * observer still sees the daemons' order.
   */
  private pass(now: number): void {
    const c = this.c;
    const heads = this.heads;
    const occupied = this.occupied;
    const obs = this.observer;
    let b = occupied.next(0);
    while (b >= 0) {
      let prev = -1;
      let slot = heads[b]!;
      while (slot >= 0) {
        const s = this.slab;
        const base = slot * STRIDE;
        const next = s[base + F_NEXT]!;
        const hot = s[base + F_HOT_NODE]!;
        if (!this.nodes.hasDaemon(hot)) {
          // if (phi->hot_node != nid) continue; for every daemon
          prev = slot;
          slot = next;
          continue;
        }
        const pfn = s[base + F_PFN]!;
        const placed = s[base + F_PLACED]!;
        let from: number;
        let kind: number;
        if (placed >= 0) {
          from = placed;
          kind = KIND_LRU;
        } else {
          this.ranges.lookup(pfn);
          from = this.ranges.nid;
          kind = this.ranges.kind;
        }
        // page_should_be_promoted()
        let outcome: OutcomeCode;
        let candidate = false;
        if (kind === KIND_NONE || kind === KIND_DEVICE) {
          outcome = OutcomeCode.DroppedOffline;
        } else if (kind === KIND_NONLRU) {
          c[C.mig_non_lru]++;
          outcome = OutcomeCode.DroppedNonLru;
        } else if (from === hot) {
          c[C.mig_right_node]++;
          outcome = OutcomeCode.DroppedRightNode;
        } else {
          const age = now - s[base + F_LAST_UPDATE]!; // (now - phi->last_update) in unsigned long
          if (age < 0 || age > this.cold) {
            c[C.mig_cold_old]++;
            outcome = OutcomeCode.DroppedColdOld;
          } else if (s[base + F_FREQUENCY]! < this.threshold) {
            c[C.mig_cold_not_accessed]++;
            outcome = OutcomeCode.DroppedNotAccessed;
          } else {
            candidate = true;
            outcome = OutcomeCode.Promoted;
          }
        }
        const since = s[base + F_TRACKED_SINCE]!;
        let keep = false;
        if (candidate) {
          c[C.mig_candidate]++;
          if (this.nodes.migrate(from, hot)) {
            c[C.mig_promoted]++;
            c[C.numa_pages_migrated]++;
            this.untrack(slot, pfn, hot, true);
            if (this.kswapd !== null && this.kswapd.promoted(pfn, hot)) c[C.pingpong_promotions]++;
          } else {
            outcome = OutcomeCode.Failed; // record kept, retried next pass
            keep = true;
          }
        } else {
          c[C.mig_dropped]++;
          this.untrack(slot, pfn, placed, false);
        }
        if (keep) {
          prev = slot;
        } else if (prev === -1) {
          heads[b] = next;
        } else {
          s[prev * STRIDE + F_NEXT] = next;
        }
        if (obs !== null) this.buffer(hot, pfn, from, outcome, since);
        slot = next;
      }
      if (heads[b] === -1) occupied.delete(b);
      b = occupied.next(b + 1);
    }
    if (this.kswapd !== null) this.c[C.pgdemote_kswapd] += this.kswapd.run(this.placed);
    if (obs !== null) this.flushEvents(obs, now);
  }

  /** hlist_del_init + kfree: the slot is freed; the page index keeps where a migrated page lives. */
  private untrack(slot: number, pfn: number, placed: number, moved: boolean): void {
    this.index.delete(pfn);
    // A page that just moved has not been accessed on its new node yet; one dropped keeps its old mark.
    if (placed >= 0) this.placed.set(pfn, placedCode(placed, !moved));
    this.chainLength[this.slab[slot * STRIDE + F_BUCKET]!]!--;
    this.slab[slot * STRIDE + F_NEXT] = this.freeSlot;
    this.freeSlot = slot;
    this.tracked--;
    this.examinable--;
  }

  private allocSlot(): number {
    if (this.freeSlot >= 0) {
      const slot = this.freeSlot;
      this.freeSlot = this.slab[slot * STRIDE + F_NEXT]!;
      return slot;
    }
    if ((this.slabTop + 1) * STRIDE > this.slab.length) {
      const bigger = new Float64Array(this.slab.length * 2);
      bigger.set(this.slab);
      this.slab = bigger;
    }
    return this.slabTop++;
  }

  private buffer(node: number, pfn: number, from: number, outcome: OutcomeCode, since: number): void {
    let list = this.pending[node];
    if (list === undefined) list = this.pending[node] = [];
    list.push(pfn, from, outcome, since);
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

  private forEachRecord(f: (base: number) => void): void {
    for (let b = this.occupied.next(0); b >= 0; b = this.occupied.next(b + 1)) {
      for (let slot = this.heads[b]!; slot >= 0; slot = this.slab[slot * STRIDE + F_NEXT]!) f(slot * STRIDE);
    }
  }
}
