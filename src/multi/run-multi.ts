/**
 * Several configurations over one read of the traces: the trace is parsed once and every record is fed
 * to every engine (Fanout). Like runReplay, plus the key metrics of each configuration. Every engine
 * publishes its counters after each batch (board.ts), so a stopped run can report them at once.
 */
import { AnalysisCollector, type AnalysisSource } from '../analysis/collector.js';
import { SlowPageCounter } from '../analysis/slow-page-counter.js';
import { boundsOfPageCounts, type Bounds } from '../analysis/bounds.js';
import { analysisSettings } from '../engine/config.js';
import type { RfcV1Engine } from '../engine/rfc-v1.js';
import { PghotEngine } from '../engine/pghot.js';
import { createEngine, type ObservableEngine } from '../engine/registry.js';
import type { AccessSink, Counter, ReplaySummary } from '../engine/types.js';
import type { TraceError } from '../errors.js';
import { primeEngine } from '../run/prime.js';
import { useParseThread } from '../run/replay.js';
import { isSliceable, PASS_SLICE, PassInterrupted, settleAll, turnPacer, type Sliceable } from '../run/slices.js';
import { readInputs, type InputSettings, type InputStats } from '../trace/input.js';
import { readInputsThreaded } from '../trace/threaded.js';
import type { TraceInput } from '../trace/read.js';
import { CounterBoard, SlotState, type RunTracker } from './board.js';
import type { MultiConfig } from './config.js';
import { CountHandoff } from './count-handoff.js';
import { Fanout } from './fanout.js';
import { pghotMetrics, rfcMetrics, type MultiMetrics } from './metrics.js';

/** What one configuration produced (plain data: it crosses worker threads). */
export interface ConfigResult {
  readonly label: string;
  /** Engine name as given to `--engine`. */
  readonly engine: string;
  readonly counters: Counter[];
  readonly summary: ReplaySummary;
  readonly metrics: MultiMetrics;
}

/** Counters of one configuration when the run was stopped early. */
export interface PartialResult {
  readonly label: string;
  readonly engine: string;
  /** Null when the configuration had not started (a sweep slice still waiting for a worker). */
  readonly counters: Counter[] | null;
  /** Records the engine had applied when it stopped (the counters are of these records). */
  readonly records: number;
  /** True when this configuration had finished, final pass included, before the run stopped. */
  readonly finished: boolean;
}

/** What a multi run read and produced, in configuration order. */
export interface MultiResult {
  readonly results: ConfigResult[];
  readonly read: InputStats;
  /** True when stopped early (Ctrl-C): no final pass ran, nothing is complete. */
  readonly interrupted: boolean;
  /** Engines alive in each read of the traces (a sweep under a memory budget may read them more than once). */
  readonly groups?: readonly number[];
}

/** Where a run's engines publish their counters: a board and the index of the run's first configuration on it. */
export interface BoardSlot {
  readonly board: CounterBoard;
  readonly offset: number;
  /** Receives each configuration's counter names (by board index) once its engine exists. */
  readonly onNames?: (index: number, names: readonly string[]) => void;
}

/** How to read the traces; hooks as in runReplay. */
export interface MultiRunOptions {
  readonly inputs: readonly TraceInput[];
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Input format options (CSV or perf script text); default: the first configuration's. */
  readonly input?: InputSettings;
  readonly stdin?: NodeJS.ReadableStream;
  readonly onProgress?: (p: { bytes: number; totalBytes: number | null; records: number }) => void;
  readonly shouldStop?: () => boolean;
  readonly onBad?: (err: TraceError) => void;
  /** Where counters are published (partial counters on a stop); configs[i] is tracker slot i. */
  readonly track?: RunTracker;
}

function isAnalysisSource(e: ObservableEngine): e is ObservableEngine & AnalysisSource {
  return 'take_interval_accesses' in e;
}

/** An engine set up for a multi run: the sink records go to, and how to get its metrics at the end. */
export interface Lane {
  readonly config: MultiConfig;
  readonly engine: ObservableEngine;
  readonly sink: AccessSink;
  metrics(counters: readonly Counter[], summary: ReplaySummary): MultiMetrics;
}

/** What a lane's metrics read the fast-tier share bounds from (they depend only on the trace and the topology). */
interface BoundsOf {
  /** The bounds of the trace over the topology, or null when another part of the run computes them. */
  bounds(): Bounds | null;
}

/** What the bounds of a configuration's topology depend on: the topology alone (the key sharing them). */
export function boundsKey(c: MultiConfig): string {
  return JSON.stringify(c.settings.rfc.topology);
}

/** Who computes the bounds of a topology: its first rfc-v1 configuration counts its pages ('count'); with none, its first configuration feeds a bounds counter ('counter'). */
export type BoundsRole = 'count' | 'counter' | null;

/** The role of each configuration, over a whole run: one computer per distinct topology. */
export function boundsRoles(configs: readonly MultiConfig[]): BoundsRole[] {
  const roles: BoundsRole[] = configs.map(() => null);
  const withRfc = new Set<string>();
  configs.forEach((c, i) => {
    if (c.settings.engine === 'pghot' || withRfc.has(boundsKey(c))) return;
    withRfc.add(boundsKey(c));
    roles[i] = 'count';
  });
  const seen = new Set<string>(withRfc);
  configs.forEach((c, i) => {
    if (seen.has(boundsKey(c))) return;
    seen.add(boundsKey(c));
    roles[i] = 'counter';
  });
  return roles;
}

/**
 * Issue 12: lanes for `configs` and the sinks to feed. The bounds of each distinct topology come from the page
 * counts of the first rfc-v1 lane over it (one byte increment per slow-tier access, beside the page state the
 * engine keeps anyway: test/analysis/bounds.test.ts shows they equal the counter's), else from one bounds
 * counter per topology, fed the records beside the lanes and shared by them. `roles` (boundsRoles() of the
 * whole run) says which of these configurations compute them: a run split over worker threads computes the
 * bounds of a topology once, in one worker; the others' metrics have none (null) until runShared adds them.
 */
export function makeLanes(configs: readonly MultiConfig[], roles: readonly BoundsRole[] = boundsRoles(configs)): MadeLanes {
  const steps = buildLanes(configs, roles);
  let r = steps.next();
  while (r.done !== true) r = steps.next();
  return r.value;
}

/** makeLanes() with a turn of the event loop when `pace` says (run/slices.ts turnPacer()); null once it says stop. */
export async function makeLanesPaced(configs: readonly MultiConfig[], pace: () => Promise<boolean>, roles: readonly BoundsRole[] = boundsRoles(configs)): Promise<MadeLanes | null> {
  const steps = buildLanes(configs, roles);
  let r = steps.next();
  while (r.done !== true) {
    if (await pace()) return null;
    r = steps.next();
  }
  return r.value;
}

/** What makeLanes() gives. */
export interface MadeLanes {
  readonly lanes: Lane[];
  readonly sinks: AccessSink[];
  readonly bounds: () => Map<string, Bounds>;
}

/** makeLanes() one lane at a time: yields after each (thousands of engines take seconds to build). */
function* buildLanes(configs: readonly MultiConfig[], roles: readonly BoundsRole[]): Generator<void, MadeLanes> {
  const sources = new Map<string, () => Bounds>();
  const counters: SlowPageCounter[] = [];
  // Each source is computed once (a pass over every page's count), when first asked.
  const once = (f: () => Bounds): (() => Bounds) => {
    let b: Bounds | null = null;
    return () => (b ??= f());
  };
  const laneOf = (config: MultiConfig, i: number): Lane => {
    const topo = config.settings.rfc.topology;
    const key = boundsKey(config);
    const bounds: BoundsOf = { bounds: () => sources.get(key)?.() ?? null };
    if (roles[i] === 'counter') {
      const counter = new SlowPageCounter(topo, config.settings.rfc.default_node);
      counters.push(counter);
      sources.set(key, once(() => counter.bounds()));
    }
    if (roles[i] !== 'count') return lane(config, bounds);
    const l = lane({ ...config, settings: analysisSettings(config.settings, true) }, bounds);
    const engine = l.engine as RfcV1Engine;
    sources.set(
      key,
      once(() => boundsOfPageCounts(engine.page_counts()!, engine.counters().find((c) => c.name === 'kpromoted_recorded_accesses')!.value, topo)),
    );
    return l;
  };
  const lanes: Lane[] = [];
  for (let i = 0; i < configs.length; i++) {
    lanes.push(laneOf(configs[i]!, i));
    yield;
  }
  return {
    lanes,
    sinks: [...lanes.map((l) => l.sink), ...counters],
    bounds: () => new Map([...sources].map(([k, f]) => [k, f()])),
  };
}

/** The observer of an rfc-v1 lane's metrics, set on its engine: metrics only, no timeline rows, so the engine counts no accesses per pass. */
function observeMetrics(engine: ObservableEngine & AnalysisSource): AnalysisCollector {
  const collector = new AnalysisCollector(engine, { rows: false });
  engine.observer = collector;
  return collector;
}

/** Sets up one configuration's engine with what its metrics need; `bounds` gives the bounds of its topology. */
export function lane(config: MultiConfig, bounds: BoundsOf | null = null): Lane {
  // The metrics count wasted promotions (page counts as the caller set them).
  const settings = analysisSettings(config.settings, false);
  const engine = createEngine(settings.engine, settings);
  if (isAnalysisSource(engine)) {
    const collector = observeMetrics(engine);
    return {
      config,
      engine,
      sink: engine,
      metrics: (counters, summary) => {
        return rfcMetrics(collector.metrics(new Map(counters.map((c) => [c.name, c.value]))), counters, summary.tracked, bounds?.bounds() ?? null);
      },
    };
  }
  if (engine instanceof PghotEngine) {
    return { config, engine, sink: engine, metrics: (counters, summary) => pghotMetrics(engine, counters, summary.tracked, bounds?.bounds() ?? null) };
  }
  throw new Error(`engine ${engine.name}: no metrics for a multi run`);
}

/** What primeLanes() primed: the configuration whose set-up it took (one per engine class), with page counts or not. */
export interface PrimedLane {
  readonly config: number;
  readonly pageCounts: boolean;
}

/** The engine classes primed on this thread (primeLanes()): V8's type feedback is its isolate's, and one prime serves every read. */
const primed = new Set<string>();

/**
 * Warms V8 up on this thread for the lanes of `configs` (run/prime.ts), before their engines apply a record: for each
 * engine class not primed on this thread yet, a throwaway engine with the settings and observer lane() gives one of its
 * configurations (one that counts pages, if any: `roles`) replays the prime's synthetic trace. Unprimed, the passes of
 * a lane's engine ran in code compiled on-stack before any pass had ended: it had no type feedback for a pass's end,
 * left its compiled code there, and V8 entered the same code again at the next pass (it keeps such code). A compare
 * of three engines on the bench's trace did so about 480 times in passSliceSlab() and 147 in record_batch(), a sweep of
 * nine on one thread 713 times (with the default 1 s period; with periods of 100-500 ms, none); primed, no deopt
 * repeated more than twice. The loops cost little: that sweep took 0.94x, 0.94x and 1.01x its unprimed time in three
 * series of 5-8 alternating runs (paired medians, 2026-12-04 05:47-05:53), compare and the sweep on every core
 * 0.99-1.02x. Priming cannot change
 * an outcome: the throwaway engines share only V8's feedback with the lanes (test/multi/prime-lanes.test.ts). Returns
 * what it primed.
 */
export function primeLanes(configs: readonly MultiConfig[], roles: readonly BoundsRole[]): PrimedLane[] {
  // One prime per engine class (rfc-v1 and rfc-v1-fixed share theirs), with page counts when a lane of it counts them.
  const chosen = new Map<string, number>();
  configs.forEach((config, i) => {
    const kind = config.settings.engine === 'pghot' ? 'pghot' : 'rfc';
    if (!chosen.has(kind) || roles[i] === 'count') chosen.set(kind, i);
  });
  const done: PrimedLane[] = [];
  for (const [kind, i] of chosen) {
    if (primed.has(kind)) continue;
    primed.add(kind);
    const settings = analysisSettings(configs[i]!.settings, roles[i] === 'count');
    primeEngine(settings.engine, settings, (engine) => void (isAnalysisSource(engine) && observeMetrics(engine)));
    done.push({ config: i, pageCounts: roles[i] === 'count' });
  }
  return done;
}

/** Lanes publishing to a board: names once, counters after each batch, final counters when finished. */
export class LaneSet {
  readonly lanes: Lane[];
  /** What to feed: every lane's sink, then one bounds counter per topology (makeLanes). */
  readonly sinks: AccessSink[];
  /** The bounds this set computes, by boundsKey() (after finish()). */
  readonly bounds: () => Map<string, Bounds>;
  private records = 0;

  constructor(
    configs: readonly MultiConfig[],
    private readonly slot: BoardSlot | null,
    roles?: readonly BoundsRole[],
    made: MadeLanes = makeLanes(configs, roles),
  ) {
    ({ lanes: this.lanes, sinks: this.sinks, bounds: this.bounds } = made);
    if (slot) {
      this.lanes.forEach((l, i) => {
        const counters = l.engine.counters();
        slot.onNames?.(slot.offset + i, counters.map((c) => c.name));
        slot.board.publish(slot.offset + i, 0, counters);
      });
    }
  }

  /** Called after every lane applied `n` more records. */
  applied(n: number): void {
    this.records += n;
    if (!this.slot) return;
    this.lanes.forEach((l, i) => this.slot!.board.publish(this.slot!.offset + i, this.records, l.engine.counters()));
  }

  /** Records handed to every lane so far. */
  get recordsGiven(): number {
    return this.records;
  }

  /** Publishes every lane's counters as they stand, with the records it applied (a stop inside a pass part way). */
  publishNow(): void {
    if (!this.slot) return;
    this.lanes.forEach((l, i) => this.slot!.board.publish(this.slot!.offset + i, l.engine.summary().records, l.engine.counters()));
  }

  /** Runs each lane's final pass and collects its results. */
  finish(): ConfigResult[] {
    return this.lanes.map((_, i) => this.finishLane(i));
  }

  /** finish() with a turn of the event loop when `pace` says (thousands of lanes take seconds); null once it says stop. */
  async finishPaced(pace: () => Promise<boolean>): Promise<ConfigResult[] | null> {
    const results: ConfigResult[] = [];
    for (let i = 0; i < this.lanes.length; i++) {
      if (await pace()) return null;
      results.push(this.finishLane(i));
    }
    return results;
  }

  private finishLane(i: number): ConfigResult {
    const l = this.lanes[i]!;
    l.engine.finish();
    const counters = l.engine.counters();
    const summary = l.engine.summary();
    this.slot?.board.publish(this.slot.offset + i, this.records, counters, SlotState.Finished);
    return { label: l.config.label, engine: l.engine.name, counters, summary, metrics: l.metrics(counters, summary) };
  }
}

/** The board slot of a tracker, with names recorded in it. */
export function trackerSlot(track: RunTracker | undefined, offset = 0): BoardSlot | null {
  return track ? { board: track.board, offset, onNames: (i, names) => (track.names[i] = names) } : null;
}

/**
 * The parse thread's ring and blocks in a multi run: a slot of 2^17 records holds a block of 2 MiB (about 70 k
 * records of 30 bytes), so that the ring holds four blocks, more than the fan-out takes before its engines run
 * (fanout.ts: 116-262 k records). With a single replay's ring (four slots of 2^14 records, blocks of 1 MiB) the parse
 * thread filled the ring within a few ms of each batch the engines ran and then waited, and this thread, finding the
 * ring empty when the fan-out wanted its next batch, parsed half of the blocks itself: 150 of 289 in each of a
 * sweep's two reads of the bench's 10 M trace; now 6-7. A sweep of 9 configurations over it, 6 alternating runs
 * (2026-12-03, 19:00, with count-handoff.ts): 3.49 -> 3.14 s by medians; peak RSS 118 -> 122 MiB. Only a file read in
 * blocks takes them (threaded.ts): standard input's blocks go through six shared slots of their size (stream-blocks.ts),
 * and the same sweep from a pipe peaked 11-13 MB higher with these.
 */
const MULTI_RING_BATCH = 1 << 17;
const MULTI_BLOCK_BYTES = 2 << 20;

/** Streams the traces once through a fresh engine per configuration and runs each final pass. */
export async function runMulti(configs: readonly MultiConfig[], opts: MultiRunOptions, slot: BoardSlot | null = trackerSlot(opts.track)): Promise<MultiResult> {
  const stop = opts.shouldStop;
  // Thousands of engines (a sweep's grid) take seconds to build, finish and measure on this thread: those loops turn
  // the event loop every few ms, where a signal is seen, and stop there.
  const pace = turnPacer(stop);
  const notRead: InputStats = { records: 0, bytes: 0, files: 0, skipped: 0, stopped: true, kinds: [], badReasons: {}, firstBad: [], perf: null };
  const roles = boundsRoles(configs);
  const made = await makeLanesPaced(configs, pace, roles);
  if (made === null) return { results: [], read: notRead, interrupted: true };
  const set = new LaneSet(configs, slot, undefined, made);
  // Ctrl-C inside a long migrate pass: passes run in slices (run/slices.ts), as in runReplay.
  const sliced: Sliceable[] = [];
  if (stop !== undefined) {
    for (const l of set.lanes) {
      if (!isSliceable(l.engine)) continue;
      l.engine.sliceRecords = PASS_SLICE;
      sliced.push(l.engine);
    }
  }
  const settle = (): Promise<void> | null => (stop !== undefined && sliced.length > 0 ? settleAll(sliced, stop) : null);
  const fanout = new Fanout(set.sinks, undefined, (n) => set.applied(n), settle);
  // perf input maps times and CPUs with the first configuration's HZ and topology.
  const first = configs[0]!.settings;
  const threaded = useParseThread({ inputs: opts.inputs, ...(first.parseThread ? { parseThread: first.parseThread } : {}) }, opts);
  const interrupted = (e: unknown): InputStats => {
    if (!(e instanceof PassInterrupted)) throw e;
    set.publishNow();
    return { records: set.recordsGiven, bytes: 0, files: 0, skipped: 0, stopped: true, kinds: [], badReasons: {}, firstBad: [], perf: null };
  };
  // The page counts that give the bounds of the read's topology are counted by the block read (count-handoff.ts).
  const key = boundsKey(configs[0]!);
  const counting = threaded ? roles.findIndex((r, i) => r === 'count' && boundsKey(configs[i]!) === key) : -1;
  const handoff = counting >= 0 ? new CountHandoff(set.lanes[counting]!.engine as RfcV1Engine, fanout, first.rfc.topology) : null;
  const read: InputStats = await (threaded ? readInputsThreaded : readInputs)([...opts.inputs], handoff ?? fanout, {
    input: opts.input ?? first.input,
    topology: first.rfc.topology,
    hz: first.rfc.hz,
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
    ...(opts.onBad ? { onBad: opts.onBad } : {}),
    parser: opts.parser,
    // The parse thread takes tens of ms to start: this thread warms V8 up on the lanes' code meanwhile.
    ...(threaded ? { ringBatch: MULTI_RING_BATCH, fileBlockBytes: MULTI_BLOCK_BYTES, whileStarting: () => void primeLanes(configs, roles) } : {}),
    ...(handoff !== null ? { pageCounts: handoff } : {}),
  }).catch(interrupted);
  // Stopped: records still buffered in the fan-out are not applied (a stop must not wait for engine work).
  if (read.stopped) return { results: [], read, interrupted: true };
  fanout.flush();
  try {
    await settle();
    handoff?.add();
    for (const e of sliced) {
      if (await pace()) throw new PassInterrupted();
      e.finish(); // final passes; LaneSet.finish() then finds them done
    }
    await settle();
  } catch (e) {
    return { results: [], read: interrupted(e), interrupted: true };
  }
  const results = await set.finishPaced(pace);
  if (results === null) return { results: [], read: interrupted(new PassInterrupted()), interrupted: true };
  return { results, read, interrupted: false };
}
