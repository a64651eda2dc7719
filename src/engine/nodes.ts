/** Per-node facts of a replay (tier verdicts, daemons, memory) and the free-page budgets, indexed by node id. */
import { memoryTiers, type MemoryTiers, type Topology } from './topology.js';

/** Node state shared by the engine's record, migrate and demotion paths. */
export class Nodes {
  /** Highest node id + 1. */
  readonly size: number;
  readonly tiers: MemoryTiers;
  /** node_is_toptier(). */
  readonly toptier: Uint8Array;
  /** A kpromoted%d daemon runs here (N_CPU). */
  readonly daemon: Uint8Array;
  readonly hasMemory: Uint8Array;
  readonly budgeted: Uint8Array;
  readonly freePages: Float64Array;
  readonly highWmark: Float64Array;
  /** Daemon node ids, ascending. */
  readonly daemonNodes: readonly number[];

  constructor(topo: Topology) {
    this.tiers = memoryTiers(topo);
    const size = (this.size = Math.max(...topo.nodes.map((n) => n.id)) + 1);
    this.toptier = new Uint8Array(size);
    this.daemon = new Uint8Array(size);
    this.hasMemory = new Uint8Array(size);
    this.budgeted = new Uint8Array(size);
    this.freePages = new Float64Array(size);
    this.highWmark = new Float64Array(size);
    for (const t of this.tiers.nodes) {
      this.toptier[t.id] = t.toptier ? 1 : 0;
      this.daemon[t.id] = t.has_daemon ? 1 : 0;
      this.hasMemory[t.id] = t.has_memory ? 1 : 0;
    }
    for (const n of topo.nodes) {
      this.highWmark[n.id] = n.high_wmark_pages;
      if (n.free_pages !== null) {
        this.budgeted[n.id] = 1;
        this.freePages[n.id] = n.free_pages;
      }
    }
    this.daemonNodes = topo.nodes.filter((n) => n.cpus.length > 0).map((n) => n.id);
  }

  /** A daemon runs on `node` (any integer, e.g. a trace's nid). */
  hasDaemon(node: number): boolean {
    return node >= 0 && node < this.size && this.daemon[node] === 1;
  }

  /**
   * migrate_misplaced_folio_prepare() + migrate_misplaced_folio() for one base page (SPEC 2.5): fails when
   * the target does not exist or has no memory, or has a budget and not free_pages > high_wmark_pages + 1.
   */
  migrate(from: number, to: number): boolean {
    if (to >= this.size || this.hasMemory[to] !== 1) return false;
    if (this.budgeted[to] === 1) {
      // migrate_balanced_pgdat(): zone_watermark_ok(free > high_wmark + nr_pages)
      if (!(this.freePages[to]! > this.highWmark[to]! + 1)) return false;
      this.freePages[to]!--;
    }
    if (from >= 0 && this.budgeted[from] === 1) this.freePages[from]!++;
    return true;
  }

  /** Free pages of node `id` (Infinity without a budget). */
  freeOf(id: number): number {
    return this.budgeted[id] === 1 ? this.freePages[id]! : Infinity;
  }

  /** Budgeted node ids, ascending. */
  budgetedNodes(): number[] {
    const out: number[] = [];
    for (let id = 0; id < this.size; id++) if (this.budgeted[id] === 1) out.push(id);
    return out;
  }
}
