/**
 * Per-node facts and state of the pghot engine: tiers, free-page budgets, the watermark tests kmigrated
 * makes on a target node, and each target's pglist_data (rate limit, threshold, candidate stats).
 */
import { TargetPgdat } from './pghot-throttle.js';
import { memoryTiers, type Topology } from './topology.js';

/** Node table indexed by node id (arrays sized highest id + 1). */
export class PghotNodes {
  /** Highest node id + 1. */
  readonly size: number;
  /** 1 for a node of the topology (node_online()). */
  readonly exists: Uint8Array;
  /** node_is_toptier(). */
  readonly toptier: Uint8Array;
  /** N_MEMORY: the node has pfn ranges. */
  readonly hasMemory: Uint8Array;
  /** kmigrated%d nodes: N_MEMORY and not top tier, ascending. */
  readonly kmigratedNodes: readonly number[];
  private readonly budgeted: Uint8Array;
  private readonly freePages: Float64Array;
  private readonly highWmark: Float64Array;
  private readonly enoughWmark: Float64Array;
  private readonly pgdat: TargetPgdat[] = [];

  constructor(topo: Topology, pageShift: number) {
    const tiers = memoryTiers(topo);
    const size = Math.max(...topo.nodes.map((n) => n.id)) + 1;
    this.size = size;
    this.exists = new Uint8Array(size);
    this.toptier = new Uint8Array(size);
    this.hasMemory = new Uint8Array(size);
    this.budgeted = new Uint8Array(size);
    this.freePages = new Float64Array(size);
    this.highWmark = new Float64Array(size);
    this.enoughWmark = new Float64Array(size);
    for (const t of tiers.nodes) {
      this.exists[t.id] = 1;
      this.toptier[t.id] = t.toptier ? 1 : 0;
      this.hasMemory[t.id] = t.has_memory ? 1 : 0;
    }
    const gib = 2 ** (30 - pageShift); // 1UL * 1024 * 1024 * 1024 >> PAGE_SHIFT
    for (const n of topo.nodes) {
      this.highWmark[n.id] = n.high_wmark_pages;
      if (n.free_pages !== null) {
        this.budgeted[n.id] = 1;
        this.freePages[n.id] = n.free_pages;
      }
      // node_present_pages: every page of the node's ranges except ZONE_DEVICE ones.
      let present = 0;
      for (const rg of n.pfn_ranges) if (rg.kind !== 'device') present += rg.end - rg.start;
      this.enoughWmark[n.id] = Math.max(gib, Math.floor(present / 16));
      this.pgdat[n.id] = new TargetPgdat();
    }
    this.kmigratedNodes = tiers.nodes.filter((t) => t.has_memory && !t.toptier).map((t) => t.id);
  }

  /** pghot_nid_valid() of precise mode: NUMA_NO_NODE, or a valid, online, top-tier nid <= PGHOT_NID_MAX. */
  preciseNidValid(nid: number): boolean {
    if (nid === -1) return true;
    return nid >= 0 && nid <= 1023 && nid < this.size && this.exists[nid] === 1 && this.toptier[nid] === 1;
  }

  /** migrate_balanced_pgdat(NODE_DATA(nid), 1) on a node with memory: SPEC 2.5's free > high_wmark + 1. */
  balanced(nid: number): boolean {
    if (nid < 0 || nid >= this.size || this.hasMemory[nid] !== 1) return false;
    return this.budgeted[nid] !== 1 || this.freePages[nid]! > this.highWmark[nid]! + 1;
  }

  /** One page's migration from `from` to `to` (SPEC 2.5): false when `to` is not balanced; moves the budgets. */
  migrate(from: number, to: number): boolean {
    if (!this.balanced(to)) return false;
    if (this.budgeted[to] === 1) this.freePages[to]!--;
    if (from >= 0 && from < this.size && this.budgeted[from] === 1) this.freePages[from]!++;
    return true;
  }

  /**
   * pgdat_free_space_enough(): free > high_wmark + max(1 GiB, node_present_pages >> 4) (kpromo has no
   * promo watermark); a node without memory has no populated zone: false; a node without budget: true.
   */
  freeSpaceEnough(nid: number): boolean {
    if (nid < 0 || nid >= this.size || this.hasMemory[nid] !== 1) return false;
    if (this.budgeted[nid] !== 1) return true;
    return this.freePages[nid]! > this.highWmark[nid]! + this.enoughWmark[nid]!;
  }

  /** NODE_DATA(nid)'s pghot state (created on first use). */
  pgdatFor(nid: number): TargetPgdat {
    let p = this.pgdat[nid];
    if (p === undefined) p = this.pgdat[nid] = new TargetPgdat();
    return p;
  }

  /** The pgdat of node `id` if it has one. */
  pgdatOf(id: number): TargetPgdat | undefined {
    return this.pgdat[id];
  }

  /** Sum of a node stat over all nodes, as /proc/vmstat shows it. */
  sum(stat: 'pgpromote_candidate' | 'pgpromote_candidate_nrl'): number {
    let total = 0;
    for (const p of this.pgdat) if (p !== undefined) total += p[stat];
    return total;
  }

  /** Free pages of node `id` now (Infinity when it has no budget). */
  freePagesOf(id: number): number {
    return id >= 0 && id < this.size && this.budgeted[id] === 1 ? this.freePages[id]! : Infinity;
  }

  /** Free pages of every budgeted node, ascending id. */
  budgets(): { node: number; free_pages: number }[] {
    const out: { node: number; free_pages: number }[] = [];
    for (let id = 0; id < this.size; id++) {
      if (this.budgeted[id] === 1) out.push({ node: id, free_pages: this.freePages[id]! });
    }
    return out;
  }
}
