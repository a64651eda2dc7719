/** Shared fixtures for engine tests: the SPEC's 2s-cxl topology built in memory and a record helper. */
import type { NodeSpec, Topology } from '../../src/engine/topology.js';
import { RFC_V1_DEFAULTS, type RfcV1Config } from '../../src/engine/config.js';
import { RfcV1Engine, type RfcVariant } from '../../src/engine/rfc-v1.js';
import { OUTCOMES, type OutcomeCode } from '../../src/engine/types.js';

/** A node with defaults for the fields a test does not care about. */
export function node(id: number, over: Partial<NodeSpec> = {}): NodeSpec {
  return { id, cpus: [], adistance: 576, pfn_ranges: [], free_pages: null, high_wmark_pages: 0, ...over };
}

/** SPEC section 7's default preset, written out by hand. */
export const SPEC_2S_CXL: Topology = {
  name: '2s-cxl',
  nodes: [
    node(0, { cpus: [0, 1, 2, 3, 4, 5, 6, 7], pfn_ranges: [{ start: 0, end: 0x100000, kind: 'lru' }] }),
    node(1, { cpus: [8, 9, 10, 11, 12, 13, 14, 15], pfn_ranges: [{ start: 0x100000, end: 0x200000, kind: 'lru' }] }),
    node(2, { adistance: 2880, pfn_ranges: [{ start: 0x200000, end: 0x400000, kind: 'lru' }] }),
  ],
};

/**
 * 2s-cxl with a 256 GiB CXL node: the same outcomes for pfns below 0x400000, but the slow tier's page state is
 * hashed (over 2^25 pages), so the engine runs its one-phase loop: the reference for its two-phase loop.
 */
export const SPEC_2S_CXL_HASHED: Topology = {
  ...SPEC_2S_CXL,
  nodes: SPEC_2S_CXL.nodes.map((n) => (n.id === 2 ? { ...n, pfn_ranges: [{ start: 0x200000, end: 0x200000 + 2 ** 26, kind: 'lru' as const }] } : n)),
};

/**
 * A seeded trace over 2s-cxl, 10 accesses a jiffy: DRAM pages (40 %), a hot set of `hot` CXL pages (promoted, then
 * accessed on their new node), any CXL page; NUMA_NO_NODE now and then, a fifth page-table scans.
 */
export function mixedCxlTrace(seed: number, records: number, hot: number): Array<[number, number, number, number]> {
  let x = seed;
  const r = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: Array<[number, number, number, number]> = [];
  for (let i = 0; i < records; i++) {
    const k = r();
    const pfn = k < 0.4 ? Math.floor(r() * 0x200000) : k < 0.8 ? 0x200000 + Math.floor(r() * hot) : 0x200000 + Math.floor(r() * 0x200000);
    out.push([pfn, r() < 0.1 ? -1 : r() < 0.5 ? 0 : 1, r() < 0.8 ? 0 : 1, 4294892296 + Math.floor(i / 10)]);
  }
  return out;
}

/** An engine with the patch's defaults over `topology`. */
export function engine(
  topology: Topology = SPEC_2S_CXL,
  over: Partial<RfcV1Config> = {},
  variant: RfcVariant = 'rfc-v1',
): RfcV1Engine {
  return new RfcV1Engine({ ...RFC_V1_DEFAULTS, topology, ...over }, variant);
}

/** An engine as --analysis, compare and sweep make it: analysis metrics kept (wasted promotions, chain lengths). */
export function analysisEngine(
  topology: Topology = SPEC_2S_CXL,
  over: Partial<RfcV1Config> = {},
  variant: RfcVariant = 'rfc-v1',
): RfcV1Engine {
  return engine(topology, { analysis_metrics: true, ...over }, variant);
}

/** An engine's page counts (page_counts(), which it must keep) as plain data: [pfn, accesses] pairs and the totals. */
export function pageCountsOf(e: RfcV1Engine) {
  const pc = e.page_counts()!;
  const pages: Array<[number, number]> = [];
  pc.forEach((pfn, n) => pages.push([pfn, n]));
  return { pages, home_toptier: pc.home_toptier, n: pc.pages, accesses: pc.accesses };
}

/** Feeds [pfn, nid, src, time] tuples, finishes, and returns counters by name plus the events as CSV rows. */
export function run(e: RfcV1Engine, records: ReadonlyArray<readonly [number, number, number, number]>) {
  const events: string[] = [];
  e.observer = {
    examined(time, n, pfn, from, to, outcome: OutcomeCode) {
      events.push(`${time},${n},${pfn},${from},${to},${OUTCOMES[outcome]}`);
    },
  };
  for (const [pfn, nid, src, time] of records) e.record_access(pfn, nid, src, time);
  e.finish();
  const counters: Record<string, number> = {};
  for (const c of e.counters()) counters[c.name.replace(/^kpromoted_/, '')] = c.value;
  return { counters, events, summary: e.summary() };
}
