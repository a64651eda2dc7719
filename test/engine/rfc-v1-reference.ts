/**
 * A slow, obvious model of rfc-v1 / rfc-v1-fixed (SPEC 2.2 - 2.5, and kpromo's --demotion model), written
 * straight from the patch's code for clarity, not speed: Maps and arrays, one full walk per daemon per pass.
 * The fast engine (src/engine/rfc-v1.ts) is differential-tested against it (rfc-v1-differential.test.ts):
 * counters, summary, wasted promotions and the event sequence must be identical.
 *
 * Only a test helper; it shares no state code with the engine (it reuses the pure topology facts:
 * memoryTiers(), demotionTargets(), hash_64(), msecs_to_jiffies()).
 */
import type { RfcV1Config } from '../../src/engine/config.js';
import { demotionTargets } from '../../src/engine/demotion.js';
import { hash_64 } from '../../src/engine/hash.js';
import { msecs_to_jiffies } from '../../src/engine/jiffies.js';
import { memoryTiers, type Topology } from '../../src/engine/topology.js';
import type { Outcome } from '../../src/engine/types.js';

/** struct page_hotness_info. */
interface Phi {
  pfn: number;
  last_update: number;
  frequency: number;
  hot_node: number;
  tracked_since: number; // kpromo: time of the access that created the record
}

/** One examined record, as the engine's observer reports it. */
export interface RefEvent {
  time: number;
  node: number;
  pfn: number;
  from: number;
  to: number;
  outcome: Outcome;
  tracked_since: number;
}

type Kind = 'lru' | 'nonlru' | 'device' | 'none';

/** The reference model. Feed record_access() in trace order, then finish(). */
export class RfcV1Reference {
  readonly counters = new Map<string, number>();
  readonly events: RefEvent[] = [];
  passes = 0;
  firstPass: number | null = null;
  lastPass: number | null = null;
  records = 0;

  private readonly fixed: boolean;
  private readonly window: number;
  private readonly period: number;
  private readonly topo: Topology;
  private readonly toptier = new Map<number, boolean>();
  private readonly daemons: number[];
  private readonly hasMemory = new Map<number, boolean>();
  private readonly free = new Map<number, number>(); // budgeted nodes only
  private readonly wmark = new Map<number, number>();
  /** page_hotness_hash[]: bucket -> chain, index 0 is the head. */
  private readonly buckets = new Map<number, Phi[]>();
  /** Pages migrated in this replay: pfn -> { node, accessed since it moved }. */
  private readonly moved = new Map<number, { node: number; accessed: boolean }>();
  /** --demotion: per budgeted top-tier node, known resident pages, least recently used first. */
  private readonly lru = new Map<number, Map<number, true>>();
  private readonly demotedEver = new Set<number>();
  private readonly targets: Map<number, number>;
  private wastedDemoted = 0;
  /** Accesses stopped by SPEC 2.2 step 3, by kind: pfns seen. */
  private readonly ignored = new Map<Kind, number[]>([['none', []], ['nonlru', []], ['device', []]]);
  private started = false;
  private next = 0;
  private finished = false;

  constructor(private readonly cfg: RfcV1Config, variant: 'rfc-v1' | 'rfc-v1-fixed') {
    this.fixed = variant === 'rfc-v1-fixed';
    this.window = msecs_to_jiffies(cfg.window_ms, cfg.hz);
    this.period = msecs_to_jiffies(cfg.period_ms, cfg.hz);
    this.topo = cfg.topology;
    const tiers = memoryTiers(cfg.topology);
    for (const t of tiers.nodes) {
      this.toptier.set(t.id, t.toptier);
      this.hasMemory.set(t.id, t.has_memory);
    }
    this.daemons = tiers.nodes.filter((t) => t.has_daemon).map((t) => t.id).sort((a, b) => a - b);
    for (const n of cfg.topology.nodes) {
      this.wmark.set(n.id, n.high_wmark_pages);
      if (n.free_pages !== null) this.free.set(n.id, n.free_pages);
    }
    this.targets = demotionTargets(tiers);
    for (const name of [
      'recorded_accesses', 'recorded_hwhints', 'recorded_pgtscans', 'record_toptier', 'record_added', 'record_exists',
      'mig_right_node', 'mig_non_lru', 'mig_cold_old', 'mig_cold_not_accessed', 'mig_candidate', 'mig_promoted',
      'mig_dropped', 'numa_pages_migrated',
    ]) this.counters.set(name, 0);
    if (cfg.demotion === true) {
      this.counters.set('pgdemote_kswapd', 0);
      this.counters.set('pingpong_promotions', 0);
    }
  }

  private inc(name: string, by = 1): void {
    this.counters.set(name, this.counters.get(name)! + by);
  }

  private hasDaemon(n: number): boolean {
    return this.daemons.includes(n);
  }

  /** The topology's ranges: (node, kind) of a pfn before any migration. */
  private home(pfn: number): { nid: number; kind: Kind } {
    for (const n of this.topo.nodes) {
      for (const r of n.pfn_ranges) if (r.start <= pfn && pfn < r.end) return { nid: n.id, kind: r.kind };
    }
    return { nid: -1, kind: 'none' };
  }

  /** pfn_to_nid() and the page's kind now: a migrated page lives on its new node and is LRU. */
  private where(pfn: number): { nid: number; kind: Kind } {
    const m = this.moved.get(pfn);
    return m !== undefined ? { nid: m.node, kind: 'lru' } : this.home(pfn);
  }

  private find(pfn: number): Phi | undefined {
    return this.buckets.get(hash_64(pfn, this.cfg.hash_order))?.find((p) => p.pfn === pfn);
  }

  private tracked(): Phi[] {
    return [...this.buckets.values()].flat();
  }

  // kpromoted_record_access()
  record_access(pfn: number, nid: number, src: number, now: number): void {
    this.runPassesUpTo(now);
    this.records++;
    this.inc('recorded_accesses');
    if (src === 0) this.inc('recorded_hwhints');
    if (src === 1) this.inc('recorded_pgtscans');
    const m = this.moved.get(pfn);
    if (m !== undefined) m.accessed = true;
    const { nid: pnid, kind } = this.where(pfn);
    if (pnid >= 0 && this.toptier.get(pnid) === true) {
      this.inc('record_toptier');
      if (this.cfg.demotion === true && this.lruOf(pnid) !== undefined) {
        const l = this.lruOf(pnid)!;
        l.delete(pfn);
        l.set(pfn, true);
      }
      return;
    }
    if (kind !== 'lru') {
      this.ignored.get(kind)!.push(pfn);
      return;
    }
    // kpromoted_lookup()
    let phi = this.find(pfn);
    let created = false;
    if (phi === undefined) {
      phi = { pfn, last_update: now, frequency: 1, hot_node: 0, tracked_since: now };
      const b = hash_64(pfn, this.cfg.hash_order);
      if (!this.buckets.has(b)) this.buckets.set(b, []);
      this.buckets.get(b)!.unshift(phi); // hlist_add_head
      this.inc('record_added');
      created = true;
    } else {
      this.inc('record_exists');
    }
    if (this.fixed) {
      const age = now - phi.last_update;
      if (age < 0 || age > this.window) {
        phi.frequency = 1;
        phi.last_update = now;
      } else if (!created) phi.frequency = (phi.frequency + 1) | 0;
    } else {
      const d = phi.last_update - now; // unsigned: negative is huge
      if (d < 0 || d > this.window) {
        phi.frequency = 1;
        phi.last_update = now;
      } else phi.frequency = (phi.frequency + 1) | 0;
    }
    phi.hot_node = nid === -1 ? this.cfg.default_node : nid;
  }

  /** kpromo's LRU of node n, for budgeted top-tier nodes with --demotion. */
  private lruOf(n: number): Map<number, true> | undefined {
    if (this.cfg.demotion !== true || !this.free.has(n) || this.toptier.get(n) !== true) return undefined;
    if (!this.lru.has(n)) this.lru.set(n, new Map());
    return this.lru.get(n);
  }

  private runPassesUpTo(now: number): void {
    if (!this.started) {
      this.started = true;
      this.next = now + this.period;
      return;
    }
    while (this.next <= now) {
      this.pass(this.next);
      this.next += this.period;
    }
  }

  /** The final pass, after the last record. */
  finish(): void {
    if (this.finished || !this.started) return;
    this.finished = true;
    this.pass(this.next, true);
  }

  private pass(now: number, final = false): void {
    this.passes++;
    if (this.firstPass === null) this.firstPass = now;
    this.lastPass = now;
    // kpromo skips a pass before the final one (kswapd included) when no record's hot_node has a daemon.
    if (!final && !this.tracked().some((p) => this.hasDaemon(p.hot_node))) return;
    for (const nid of this.daemons) this.kpromoted_migrate(nid, now);
    if (this.cfg.demotion === true) this.kswapd();
  }

  // kpromoted_migrate(): for every bucket, every record of this daemon's node, head first.
  private kpromoted_migrate(nid: number, now: number): void {
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    for (const b of keys) {
      const chain = this.buckets.get(b)!;
      for (const phi of [...chain]) {
        if (phi.hot_node !== nid) continue;
        const { nid: from, kind } = this.where(phi.pfn);
        let outcome: Outcome;
        // page_should_be_promoted()
        if (kind === 'none' || kind === 'device') outcome = 'dropped_offline';
        else if (kind === 'nonlru') {
          this.inc('mig_non_lru');
          outcome = 'dropped_non_lru';
        } else if (from === nid) {
          this.inc('mig_right_node');
          outcome = 'dropped_right_node';
        } else {
          const age = now - phi.last_update;
          if (age < 0 || age > 2 * this.window) {
            this.inc('mig_cold_old');
            outcome = 'dropped_cold_old';
          } else if (phi.frequency < this.cfg.threshold) {
            this.inc('mig_cold_not_accessed');
            outcome = 'dropped_not_accessed';
          } else outcome = 'promoted';
        }
        if (outcome === 'promoted') {
          this.inc('mig_candidate');
          if (this.migrate(from, nid)) {
            this.inc('mig_promoted');
            this.inc('numa_pages_migrated');
            chain.splice(chain.indexOf(phi), 1);
            this.moved.set(phi.pfn, { node: nid, accessed: false });
            const l = this.lruOf(nid);
            if (l !== undefined) {
              l.delete(phi.pfn);
              l.set(phi.pfn, true);
            }
            if (this.cfg.demotion === true && this.demotedEver.has(phi.pfn)) this.inc('pingpong_promotions');
          } else outcome = 'failed';
        } else {
          this.inc('mig_dropped');
          chain.splice(chain.indexOf(phi), 1);
          const m = this.moved.get(phi.pfn);
          if (m !== undefined) m.accessed = true;
        }
        if (chain.length === 0) this.buckets.delete(b);
        this.events.push({ time: now, node: nid, pfn: phi.pfn, from, to: nid, outcome, tracked_since: phi.tracked_since });
      }
    }
  }

  // migrate_misplaced_folio_prepare() + migrate_misplaced_folio()
  private migrate(from: number, to: number): boolean {
    if (this.hasMemory.get(to) !== true) return false;
    if (this.free.has(to)) {
      if (!(this.free.get(to)! > this.wmark.get(to)! + 1)) return false;
      this.free.set(to, this.free.get(to)! - 1);
    }
    if (this.free.has(from)) this.free.set(from, this.free.get(from)! + 1);
    return true;
  }

  // kpromo's kswapd: demote least recently used known pages of nodes at their watermark.
  private kswapd(): void {
    for (const [node, target] of this.targets) {
      if (!this.free.has(node) || this.toptier.get(node) !== true) continue;
      const w = this.wmark.get(node)!;
      if (this.free.get(node)! > w + 1) continue;
      const l = this.lruOf(node)!;
      while (this.free.get(node)! < 2 * w + 2) {
        if (this.free.has(target) && this.free.get(target)! < 1) break;
        const first = l.keys().next();
        if (first.done === true) break;
        const pfn = first.value;
        l.delete(pfn);
        const m = this.moved.get(pfn);
        if (m !== undefined && !m.accessed) this.wastedDemoted++;
        this.moved.set(pfn, { node: target, accessed: true });
        this.free.set(node, this.free.get(node)! + 1);
        if (this.free.has(target)) this.free.set(target, this.free.get(target)! - 1);
        this.demotedEver.add(pfn);
        this.inc('pgdemote_kswapd');
      }
    }
  }

  /** Pages moved and not accessed since (and promoted pages demoted before any access). */
  wasted(): number {
    let n = this.wastedDemoted;
    for (const [pfn, m] of this.moved) if (!m.accessed && this.find(pfn) === undefined) n++;
    return n;
  }

  /** What the engine's summary() reports. */
  summary() {
    const recs = this.tracked();
    const byNode = new Map<number, number>();
    for (const p of recs) if (!this.hasDaemon(p.hot_node)) byNode.set(p.hot_node, (byNode.get(p.hot_node) ?? 0) + 1);
    return {
      records: this.records,
      passes: this.passes,
      tracked: recs.length,
      unexamined: [...byNode].sort((a, b) => a[0] - b[0]).map(([hot_node, records]) => ({ hot_node, records })),
      first_pass: this.firstPass,
      last_pass: this.lastPass,
      free_pages: [...this.free].sort((a, b) => a[0] - b[0]).map(([node, free_pages]) => ({ node, free_pages })),
      ignored: (['none', 'nonlru', 'device'] as const).map((k) => {
        const pfns = this.ignored.get(k)!;
        return {
          reason: k === 'none' ? 'no_range' : k,
          accesses: pfns.length,
          share: this.records > 0 ? pfns.length / this.records : 0,
          lowest_pfn: pfns.length > 0 ? Math.min(...pfns) : null,
          highest_pfn: pfns.length > 0 ? Math.max(...pfns) : null,
        };
      }),
    };
  }
}
