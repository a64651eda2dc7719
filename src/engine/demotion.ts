/**
 * kswapd-style demotion for `--demotion` (off by default, so rfc-v1 stays the patch as posted).
 * kpromo keeps, for every budgeted top-tier node, the pages the replay knows to live there (pages of its
 * range the trace accessed, and pages promoted onto it) in LRU order of their last access. When the node's
 * free pages fall to its high watermark (free_pages <= high_wmark_pages + 1, where the next promotion would
 * fail, as migrate_misplaced_folio_prepare() then wakes kswapd in tiering mode), kswapd demotes
 * least-recently-accessed pages to the node's demotion target until free_pages >= 2 * high_wmark_pages + 2
 * (kpromo's stand-in for the promo watermark kswapd balances to), or until it runs out of known pages or the
 * target of free pages.
 */
import type { Nodes } from './nodes.js';
import { PageIndex } from './page-index.js';
import type { MemoryTiers } from './topology.js';

const STRIDE = 3; // pfn, prev, next (slots)
const PFN = 0;
const PREV = 1;
const NEXT = 2;

/**
 * establish_demotion_targets() without a distance table: the next slower tier that has memory, and in it
 * the first node after the source's id (else the lowest). With equal distances the kernel's preferred mask
 * holds every node of that tier and next_demotion_node() picks one at random; kpromo picks deterministically.
 */
export function demotionTargets(tiers: MemoryTiers): Map<number, number> {
  const tierList = [...new Set(tiers.nodes.filter((t) => t.tier !== null).map((t) => t.tier!))].sort((a, b) => a - b);
  const out = new Map<number, number>();
  for (const t of tiers.nodes) {
    if (t.tier === null) continue;
    const next = tierList.find((x) => x > t.tier!);
    if (next === undefined) continue;
    const candidates = tiers.nodes.filter((n) => n.tier === next).map((n) => n.id);
    const after = candidates.filter((id) => id > t.id);
    out.set(t.id, after.length > 0 ? Math.min(...after) : Math.min(...candidates));
  }
  return out;
}

/** The per-node LRU lists of known resident pages. */
export class ResidentLru {
  private readonly index = new PageIndex(10);
  private slab = new Float64Array(STRIDE * 1024);
  private top = 0;
  private freeSlot = -1;
  private readonly head: Int32Array; // most recent
  private readonly tail: Int32Array; // least recent
  private nodeOf: Int32Array;

  constructor(nodeCount: number) {
    this.head = new Int32Array(nodeCount).fill(-1);
    this.tail = new Int32Array(nodeCount).fill(-1);
    this.nodeOf = new Int32Array(1024);
  }

  /** Page `pfn` on `node` was just accessed (or arrived there): move it to the head of node's list. */
  touch(pfn: number, node: number): void {
    const pos = this.index.find(pfn);
    let slot: number;
    if (pos >= 0) {
      slot = this.index.valueAt(pos);
      if (this.nodeOf[slot] === node && this.head[node] === slot) return;
      this.unlink(slot);
    } else {
      slot = this.alloc();
      this.slab[slot * STRIDE + PFN] = pfn;
      this.index.insertAt(pos, pfn, slot);
    }
    this.nodeOf[slot] = node;
    const s = this.slab;
    const h = this.head[node]!;
    s[slot * STRIDE + PREV] = -1;
    s[slot * STRIDE + NEXT] = h;
    if (h >= 0) s[h * STRIDE + PREV] = slot;
    else this.tail[node] = slot;
    this.head[node] = slot;
  }

  /** Removes and returns the least recently accessed page of `node`, or -1. */
  popLru(node: number): number {
    const slot = this.tail[node]!;
    if (slot < 0) return -1;
    const pfn = this.slab[slot * STRIDE + PFN]!;
    this.unlink(slot);
    this.index.delete(pfn);
    this.slab[slot * STRIDE + NEXT] = this.freeSlot;
    this.freeSlot = slot;
    return pfn;
  }

  private unlink(slot: number): void {
    const s = this.slab;
    const node = this.nodeOf[slot]!;
    const prev = s[slot * STRIDE + PREV]!;
    const next = s[slot * STRIDE + NEXT]!;
    if (prev >= 0) s[prev * STRIDE + NEXT] = next;
    else this.head[node] = next;
    if (next >= 0) s[next * STRIDE + PREV] = prev;
    else this.tail[node] = prev;
  }

  private alloc(): number {
    if (this.freeSlot >= 0) {
      const slot = this.freeSlot;
      this.freeSlot = this.slab[slot * STRIDE + NEXT]!;
      return slot;
    }
    if ((this.top + 1) * STRIDE > this.slab.length) {
      const bigger = new Float64Array(this.slab.length * 2);
      bigger.set(this.slab);
      this.slab = bigger;
    }
    if (this.top >= this.nodeOf.length) {
      const bigger = new Int32Array(this.nodeOf.length * 2);
      bigger.set(this.nodeOf);
      this.nodeOf = bigger;
    }
    return this.top++;
  }
}

/** kswapd of every budgeted top-tier node: the LRU of known resident pages and the demotions done so far. */
export class Kswapd {
  readonly lru: ResidentLru;
  private readonly targets: Map<number, number>;
  private readonly demoted = new Set<number>();

  constructor(private readonly nodes: Nodes) {
    this.lru = new ResidentLru(nodes.size);
    this.targets = demotionTargets(nodes.tiers);
  }

  /** A page was promoted onto `node`: it is the most recently used there. True when it had been demoted before (ping-pong). */
  promoted(pfn: number, node: number): boolean {
    this.lru.touch(pfn, node);
    return this.demoted.has(pfn);
  }

  /**
   * After a pass: every budgeted top-tier node whose free pages fell to its high watermark demotes
   * least-recently-accessed known pages to its target, telling `moved(pfn, target)` about each (the engine
   * records where the page lives now). Returns the number of pages demoted (pgdemote_kswapd).
   */
  run(moved: (pfn: number, target: number) => void): number {
    const nodes = this.nodes;
    let demoted = 0;
    for (const [node, target] of this.targets) {
      if (nodes.budgeted[node] !== 1 || nodes.toptier[node] !== 1) continue;
      const wmark = nodes.highWmark[node]!;
      if (nodes.freePages[node]! > wmark + 1) continue;
      const goal = 2 * wmark + 2;
      while (nodes.freePages[node]! < goal) {
        if (nodes.budgeted[target] === 1 && nodes.freePages[target]! < 1) break; // alloc_demote_folio() fails
        const pfn = this.lru.popLru(node);
        if (pfn < 0) break;
        // migrate_pages(..., MR_DEMOTION): the page now lives on the target.
        moved(pfn, target);
        nodes.freePages[node]!++;
        if (nodes.budgeted[target] === 1) nodes.freePages[target]!--;
        this.demoted.add(pfn);
        demoted++;
      }
    }
    return demoted;
  }
}
