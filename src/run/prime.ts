/**
 * JIT priming for a threaded replay. V8 compiles the engine's hot functions only after they have run a while in
 * its interpreter, and throws the compiled code away when a branch never taken before turns up ("insufficient
 * type feedback"): the first pass, the first promoted page accessed again, the first NUMA_NO_NODE access. On a
 * trace of millions of records that costs 50-100 ms of the engine's thread, measured as the first 131 k records
 * taking 2.5-4x as long as the same records in a second replay in one process.
 *
 * While the parse thread starts (its isolate and bundle: tens of ms in which the engine's thread only waits),
 * a throwaway engine of the same kind, configuration and topology replays a small synthetic trace that takes
 * those branches. It shares nothing with the replay's engine but V8's feedback on their common code, so it
 * cannot change an outcome (test/run/prime.test.ts checks counters and events against an unprimed replay).
 */
import { createEngine, type EngineConfigs, type EngineName, type ObservableEngine } from '../engine/registry.js';
import type { BatchSink } from '../engine/types.js';
import { hash_64 } from '../engine/hash.js';
import { msecs_to_jiffies } from '../engine/jiffies.js';
import type { PageCountHandoff } from '../engine/page-tally.js';
import { isSliceable, PASS_SLICE } from './slices.js';

/** Records of the synthetic trace: 20-40 ms here, about what the parse thread takes to start; measured a net gain (README). */
export const PRIME_RECORDS = 12_000;
/** Records per record_batch() call, as the parse thread's batches. */
const BATCH = 1024;
/** Pages taken at each end of each range, and the hot set among them. */
const POOL_PER_END = 3000;
const HOT = 256;
/** Distinct slow-tier pages of the first period: more than the engine's first slab (4096 records). */
const FIRST_PAGES = 5000;
/**
 * Then as many pages anywhere in the slow tiers, and the same again, newest first, still in the first period: records
 * found in their chains, some behind a newer record of the same bucket, as on any trace of many pages (the pages at
 * the ends of a range never share a bucket: hash_64 spreads consecutive pfns evenly). Without them, V8 compiled the
 * chain walk of kpromoted_lookup() with no feedback and threw that code away at a real trace's first walk.
 */
const SPREAD_PAGES = 1500;
/**
 * ...drawn from SPREAD_WINDOWS runs of SPREAD_WINDOW pages each, at random places in the slow tiers: the engine keeps a
 * byte of state per page, so pages drawn from whole ranges touched a page of memory each (1.5 k page faults, about
 * 12 µs each on this VM, 18 ms of the prime). hash_64 spreads a window's pages over the buckets, and pages of
 * different windows share buckets as random pages do.
 */
const SPREAD_WINDOWS = 16;
const SPREAD_WINDOW = 4096;
/**
 * Batches given to the engine while a pass is part way, from its QUEUE_FROM-th batch on. Not earlier: V8 gives a
 * function a feedback vector only after it ran a while, and record_batch() runs few operations a call since its first
 * phase is a function of its own (top-hits.ts); the passes of the opening's first period, cut at batch 2, left batches
 * waiting that it saw with no feedback vector, and a replay's first batch while a pass was part way threw its compiled
 * code away (--trace-deopt: "Insufficient type feedback for generic named access", its call of enqueue()).
 */
const QUEUED = 3;
const QUEUE_FROM = 5;
/**
 * An opening before all that: OPENING records in batches of OPENING_BATCH, over OPENING_PERIODS passes, some of them
 * whole and some cut in slices of OPENING_SLICE records, so that V8 has seen a pass inside a batch, whole and part way,
 * and a pass's walk stopped at its budget, before the engine's functions get hot enough to be compiled. V8 compiles
 * with the type feedback gathered so far: code compiled before the first pass inside a batch (the 8 000 records of
 * the first period below come first) was thrown away at the replay's first passes, and compiled again (30-50 ms of a
 * compiler thread each, the engine's thread meanwhile in slower code).
 */
const OPENING = 1024;
const OPENING_BATCH = 64;
const OPENING_PERIODS = 8;
const OPENING_SLICE = 8;
/**
 * The throwaway engine's first slab, in records: smaller than the opening's live records, so that its slab grows
 * there, and V8 has seen recordSlow() grow it before it compiles recordSlow(). With the engine's default (4 096 records)
 * the slab grew in the first period after the opening, once recordSlow() was compiled: the compiled code had no
 * feedback for the growth and was thrown away at a replay's first growth, 4 096 records in.
 */
const PRIME_SLAB = 32;
/** Random pages tried for the opening's pairs of one bucket (at the default 2^16 buckets, 2 000 give about 30 pairs). */
const PAIR_TRIES = 2000;

/** primeEngine() calls in this process. */
let primes = 0;

/** primeEngine() calls in this process (tests: which replays primed V8). */
export function primesRun(): number {
  return primes;
}

/**
 * Replays the synthetic trace through a throwaway engine `name` over `cfg`'s topology, set up by `setup` as the
 * replay's engine is (a field set after construction changes the object's hidden class, and code compiled
 * for one is thrown away on the other); returns its record count.
 */
export function primeEngine(name: EngineName, cfg: EngineConfigs, setup: (engine: ObservableEngine) => void = () => {}, records = PRIME_RECORDS): number {
  primes++;
  const topo = cfg.rfc.topology;
  const pool: number[] = [];
  const slow: number[] = []; // pages of nodes without CPUs: the slow tiers of most machines
  const slowRanges: { start: number; end: number }[] = [];
  const cpuNodes: number[] = [];
  let highest = 0;
  for (const node of topo.nodes) {
    if (node.cpus.length > 0) cpuNodes.push(node.id);
    for (const r of node.pfn_ranges) {
      highest = Math.max(highest, r.end);
      // Pages at both ends of each range, of every tier and kind (large pfns take other paths of hash_64's
      // arithmetic): more slow-tier pages than the engine's first slab holds, so that it grows.
      const pages = Math.min(r.end - r.start, 2 * POOL_PER_END);
      for (let p = 0; p < pages; p++) {
        const pfn = p < POOL_PER_END ? r.start + p : r.end - 1 - (p - POOL_PER_END);
        pool.push(pfn);
        if (node.cpus.length === 0) slow.push(pfn);
      }
      if (node.cpus.length === 0 && r.end > r.start) slowRanges.push(r);
    }
  }
  if (pool.length === 0 || cpuNodes.length === 0) return 0;
  const slowPool = slow.length > 0 ? slow : pool;
  // A first slab of PRIME_SLAB records: it grows in the opening, before V8 compiles the code that grows it.
  const engine = createEngine(name, cfg, PRIME_SLAB);
  setup(engine);
  // Passes cut in small slices, resumed at once: the code of a pass part way and of the records queued meanwhile.
  const sliced = isSliceable(engine) ? engine : null;
  if (sliced !== null) sliced.sliceRecords = 256;
  const hz = cfg.rfc.hz;
  const period = msecs_to_jiffies(cfg.rfc.period_ms, hz); // KPROMOTE_DELAY
  const opening = Math.min(OPENING, records >> 2);
  // Then eight seconds of trace time: passes of both engines' default periods, records old enough to be cold.
  const t0 = 4_294_892_296 + OPENING_PERIODS * period; // INITIAL_JIFFIES at HZ 250, as real traces start, after the opening
  const span = 8 * hz;
  const P = new Float64Array(BATCH);
  const N = new Int32Array(BATCH);
  const S = new Int32Array(BATCH);
  const T = new Float64Array(BATCH);
  const b = engine as BatchSink;
  // An engine that counts pages (--analysis) counts none in the first half: a block read hands its counting to the
  // parse thread (page-tally.ts), and the engine's first phase then takes another loop (rfc-v1.ts topHits()), which
  // V8 compiled with no feedback and threw away at such a replay's first block otherwise (--trace-deopt:
  // "Insufficient type feedback for call" in record_batch). A replay read on one thread counts from its start: the
  // second half.
  const handoff = 'pauseCounts' in engine ? (engine as unknown as PageCountHandoff) : null;
  let paused = handoff?.pauseCounts() === true;
  let seed = 0x2545f491;
  let n = 0;
  let batches = 0;
  let queued = 0;
  // First, distinct slow-tier pages from CPU nodes, all in the first period: more live records than the first slab
  // holds (it grows), every one examinable, so the first pass walks the slab in order (passSliceSlab).
  const clean = Math.min(FIRST_PAGES, slowPool.length, records >> 1);
  const spread: number[] = [];
  const windows: { start: number; end: number }[] = [];
  for (let w = 0; w < SPREAD_WINDOWS; w++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = slowRanges[w % slowRanges.length];
    if (r === undefined) break;
    const at = pageAt(r, seed);
    const start = Math.max(r.start, at - (at % SPREAD_WINDOW));
    windows.push({ start, end: Math.min(r.end, start + SPREAD_WINDOW) });
  }
  for (let i = 0; windows.length > 0 && i < Math.min(SPREAD_PAGES, records >> 3); i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    spread.push(pageAt(windows[i % windows.length]!, seed));
  }
  const first = clean + 2 * spread.length;
  // Pairs of slow-tier pages of one hash_64 bucket, for three records of the opening now and then: a page, the other,
  // and the first again, whose lookup walks its chain past the newer record. (Not at the very start: V8 gathers no
  // type feedback for a function's first few calls.)
  const pairs = bucketPairs(slowRanges, cfg.rfc.hash_order, opening >> 8);
  for (let at = 0; at < records; at++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = seed >>> 8;
    const i = at - opening;
    if (i < 0) {
      // The opening: slow-tier pages each accessed twice in a row (records made, found, promoted by the next pass), and
      // every fourth record any page; the time steps through OPENING_PERIODS periods.
      const j = at >> 1;
      const pair = (at & 255) < 3 ? pairs[(at >> 8) - 1] : undefined;
      // (Pages from the end of the pool: those of the first period below are new to the engine after it.)
      P[n] = pair !== undefined ? pair[at & 1]! : (at & 7) >= 6 ? pool[(r >>> 4) % pool.length]! : slowPool[slowPool.length - 1 - (j % slowPool.length)]!;
      N[n] = cpuNodes[j % cpuNodes.length]!;
      S[n] = at & 1;
      T[n] = t0 - OPENING_PERIODS * period + Math.floor((at * OPENING_PERIODS * period) / opening);
    } else if (i < first) {
      const j = i - clean;
      P[n] = j < 0 ? slowPool[i]! : j < spread.length ? spread[j]! : spread[2 * spread.length - 1 - j]!;
      N[n] = cpuNodes[i % cpuNodes.length]!;
      S[n] = 0;
      T[n] = t0 + Math.floor((i * hz) / (2 * first));
    } else {
      const k = r & 15;
      // New slow-tier pages, a small hot set of them again and again (records that exist, windows, promotions),
      // any page (top tier, moved pages accessed again); now and then a pfn in no range, NUMA_NO_NODE, a node
      // with no daemon, a page-table scan, a time a little back.
      P[n] = k === 15 ? highest + 1 + (r & 63) : k < 6 ? slowPool[(r >>> 4) % slowPool.length]! : k < 11 ? slowPool[(r >>> 4) % HOT]! : pool[(r >>> 4) % pool.length]!;
      N[n] = k === 7 ? -1 : k === 8 ? topo.nodes[(r >>> 4) % topo.nodes.length]!.id : cpuNodes[(r >>> 4) % cpuNodes.length]!;
      S[n] = k === 3 || k === 11 ? 1 : 0;
      T[n] = t0 + Math.floor((i * span) / records) - (k === 9 ? 3 : 0);
    }
    // Every fourth batch goes one record at a time, as the engine's thread gives the records it parses itself; it is
    // cut short, so that the next batch finds records still buffered (rfc-v1 applies them 256 at a time).
    const oneByOne = !b.record_batch || (batches & 3) === 3;
    const size = i < 0 ? OPENING_BATCH : oneByOne ? BATCH - 100 : BATCH;
    if (++n === size || at === records - 1 || i === -1) {
      // The passes of the opening: two batches' worth whole, two cut short, and so on; then cut in slices of 256
      // records; in the second half whole, as a replay's passes of fewer records than a slice are (PASS_SLICE): a
      // pass that ends within the record loop, and the code after it there.
      if (sliced !== null)
        sliced.sliceRecords = i < 0 ? ((batches & 2) === 0 ? PASS_SLICE : OPENING_SLICE) : i >= (records - opening) >> 1 ? PASS_SLICE : 256;
      if (!oneByOne) b.record_batch!(P, N, S, T, n);
      else for (let j = 0; j < n; j++) engine.record_access(P[j]!, N[j]!, S[j]!, T[j]!);
      // A pass cut short is resumed at once, but the first few times: then the next batch comes while it is part way
      // and waits in the engine's queue, as a replay's batches do while the engine's thread is busy.
      if (sliced?.suspended === true && queued < QUEUED && batches >= QUEUE_FROM) queued++;
      else while (sliced?.suspended) sliced.resume();
      n = 0;
      batches++;
      if (paused && at >= records >> 1 && sliced?.suspended !== true) {
        handoff!.resumeCounts();
        paused = false;
      }
    }
  }
  engine.finish();
  while (sliced?.suspended) sliced.resume();
  engine.counters();
  engine.summary();
  return records;
}

/**
 * Up to `most` pairs of distinct pages of `ranges`, the two of a pair in one hash_64 bucket of `order` bits: pages
 * taken at random (consecutive pfns never share a bucket), at most PAIR_TRIES of them.
 */
function bucketPairs(ranges: ReadonlyArray<{ start: number; end: number }>, order: number, most: number): Array<[number, number]> {
  const seen = new Map<number, number>();
  const pairs: Array<[number, number]> = [];
  let seed = 0x9e3779b9;
  for (let k = 0; ranges.length > 0 && k < PAIR_TRIES && pairs.length < most; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = ranges[k % ranges.length]!;
    const pfn = pageAt(r, seed);
    const b = hash_64(pfn, order);
    const other = seen.get(b);
    if (other !== undefined && other !== pfn) {
      pairs.push([other, pfn]);
      seen.delete(b);
    } else seen.set(b, pfn);
  }
  return pairs;
}

/** The page of range `r` that a 32-bit random `seed` picks. */
function pageAt(r: { start: number; end: number }, seed: number): number {
  return r.start + Math.floor(((seed >>> 0) / 2 ** 32) * (r.end - r.start));
}
