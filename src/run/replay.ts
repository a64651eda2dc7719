/** One replay: traces (CSV or perf script text) -> engine -> counters. Shared by `kpromo replay` and `kpromo check`. */
import type { RfcV1Config } from '../engine/config.js';
import type { PageCountHandoff } from '../engine/page-tally.js';
import type { PghotConfig } from '../engine/pghot-config.js';
import { createEngine, type EngineName, type ObservableEngine } from '../engine/registry.js';
import { RfcV1Engine } from '../engine/rfc-v1.js';
import type { BatchSink, Counter, PassObserver, ReplaySummary } from '../engine/types.js';
import type { TraceError } from '../errors.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { leftToCsvParse } from '../trace/fast.js';
import { isGzipMagic, readInputs, type InputSettings, type InputStats } from '../trace/input.js';
import { looksLikePerf } from '../trace/perf-detect.js';
import { canReadThreaded, readInputsThreaded } from '../trace/threaded.js';
import { dropPreStartedThread, startParseThreadEarly } from '../trace/early-worker.js';
import type { TraceInput } from '../trace/read.js';
import { primeEngine } from './prime.js';
import { catchUp, isSliceable, PASS_SLICE, PassInterrupted } from './slices.js';

/** Everything a replay needs, validated. */
export interface ReplaySettings {
  readonly engine: EngineName;
  readonly rfc: RfcV1Config;
  /** pghot's configuration (same topology and HZ). */
  readonly pghot: PghotConfig;
  /** How the topology was named by the user (preset name or file). */
  readonly topologySource: string;
  readonly inputs: readonly TraceInput[];
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Input kind, perf mapping and --skip-bad (HZ and topology come from rfc). */
  readonly input: InputSettings;
  /** `--parse-thread`: parse on a second thread (files only); auto: replayPlan(). */
  readonly parseThread?: 'auto' | 'on' | 'off';
}

/**
 * Traces at least this large are parsed on a second thread under `--parse-thread auto`. From 4 MiB the thread (and
 * the engine's warm-up while it starts, run/prime.ts) pays: replays of 4-15 MB took 14-20 ms less with it (medians of 12
 * alternating runs, 2026-12-02, 23:58-00:02 UTC), 3 MB alike; converts alike.
 */
export const PARSE_THREAD_MIN_BYTES = 4 << 20;

/**
 * Plain CSV files smaller than this (together) are parsed by a replay on its own thread under `--parse-thread auto`,
 * after V8 is primed (PRIME_MIN_BYTES); perf text and CSV for csv-parse keep PARSE_THREAD_MIN_BYTES (gzip files: no thread). On
 * this 2-core VM (2026-12-04, 12:24-12:30 UTC, 7-9 alternating runs each, paired medians; cuts of the bench's 2 M
 * trace) a replay of plain CSV parsed here and primed against one with the parse thread: 3.6 MB 0.91x, 6 MB 0.93x,
 * 15 MB 0.94x, 30 MB 0.99x, 60 MB 1.03x; `--analysis` of 15 MB 0.96x, of 30 MB 0.99x. A worker's start costs 43 ms of
 * CPU here (an empty one), on the core the engine's thread shares with V8's compiler threads, and plain CSV costs
 * the WebAssembly parser too little for the overlap to pay that back below about a million lines. perf text
 * (96 bytes a line here) costs more to parse a byte: 11.5 MB of it read 0.93x with the thread against without.
 */
export const CSV_PARSE_THREAD_MIN_BYTES = 32 << 20;

/**
 * A replay of files this large (together) parsed on its own thread primes V8 first, as a threaded one does while its
 * parse thread starts (prime.ts): the same runs, a primed against an unprimed replay: 0.9 MB 1.05x, 1.8 MB 1.00x,
 * 3.6 MB 0.87x.
 */
export const PRIME_MIN_BYTES = 2 << 20;

/** How a replay reads: on a second thread or not, and whether V8 is primed on the engine first. */
export interface ReplayPlan {
  readonly threaded: boolean;
  readonly prime: boolean;
}

/** A replay's ReplayPlan: useParseThread(), then the CSV and prime thresholds above for regular files. */
export function replayPlan(settings: Pick<ReplaySettings, 'inputs' | 'parseThread' | 'input' | 'parser'>, hooks: Pick<ReplayHooks, 'onBad' | 'stdin'>): ReplayPlan {
  const bytes = traceBytes(settings.inputs);
  const threaded = parseThreadFor(settings, hooks, bytes);
  if (bytes === null) return { threaded, prime: threaded };
  if (threaded && (settings.parseThread ?? 'auto') === 'auto' && bytes < CSV_PARSE_THREAD_MIN_BYTES && plainCsvFiles(settings)) return { threaded: false, prime: true };
  return { threaded, prime: threaded || bytes >= PRIME_MIN_BYTES };
}

/**
 * Total bytes of the trace files (a `.gz` file counted as the CSV text it holds, about four times its size), null when
 * one is standard input or not a regular file, or cannot be measured (the reader reports it).
 */
export function traceBytes(inputs: readonly TraceInput[]): number | null {
  let bytes = 0;
  for (const { name } of inputs) {
    if (name === '-') return null;
    try {
      const st = statSync(name);
      if (!st.isFile()) return null;
      bytes += name.endsWith('.gz') ? 4 * st.size : st.size;
    } catch {
      return null;
    }
  }
  return bytes;
}

/** Bytes of a file's start that plainCsvFiles() reads (input.ts SNIFF_BYTES is the reader's perf sniff: 64 KiB). */
const PLAN_SNIFF_BYTES = 4096;
const NL = 0x0a;

/**
 * True when every input will go to the CSV reader's byte loops, by its first 4 KiB: not perf text (--input or a sniff), no
 * line left to csv-parse (leftToCsvParse()), and not --parser csv-parse. (Asked only of files useParseThread() gives the thread: never gzip.)
 */
function plainCsvFiles(settings: Pick<ReplaySettings, 'inputs' | 'input' | 'parser'>): boolean {
  if (settings.input.kind === 'perf' || settings.parser === 'csv-parse') return false;
  for (const { name } of settings.inputs) {
    const start = fileHead(name, PLAN_SNIFF_BYTES);
    if (start === null || (settings.input.kind === 'auto' && looksLikePerf(start))) return false;
    // A line the byte loops leave to csv-parse (a quote inside a field, a control byte): the file keeps the parse thread
    // from 4 MiB (15 MB of such a file read 0.91x with it, 2026-12-04 19:30 UTC). CR LF line ends, padded fields and
    // fields in quotes, which the byte loops read, do not: 6 MB of R's write.csv form read 0.84x without the thread,
    // 15 MB 0.89x, 30 MB 0.98x, 6 MB with CR LF 0.91x, 15 MB 0.89x (9 alternating runs each, paired medians).
    if (leftToCsvParse(start.subarray(0, start.lastIndexOf(NL) + 1))) return false;
  }
  return true;
}

/**
 * Whether a read of `inputs` parses on a second thread (replay, convert, and the in-process compare/sweep): as
 * `--parse-thread` says; under auto, a pipe on this process's standard input, and regular files of
 * PARSE_THREAD_MIN_BYTES or more together, but not gzip files. zlib inflates on libuv's thread pool whichever thread
 * parses, and a read of gzip is bound by that inflate, so the parse thread only adds its start and a third busy
 * thread. On this 2-core VM (2026-12-04, 14:14-14:25 UTC, alternating runs, paired medians) with the thread against
 * without: replays of the bench's 2 M trace gzipped (11 MB) 1.13x, of its 10 M trace (63 MB, `gzip -1`) 1.23x, of
 * 600 k records (3.3 MB) 1.16x; convert of the 2 M one 1.23x; compare of the three default engines 1.06x (2 M) and
 * 1.00x (10 M); at 14:48, with gunzip.ts's GUNZIP_OPTIONS, 3 M records of its perf text (31 MB, `gzip -1`) 1.35x. A pipe
 * carrying gzip keeps the thread (0.82x: the pipe is read there). replayPlan() may still keep plain CSV on the engine's
 * thread.
 */
export function useParseThread(
  settings: Pick<ReplaySettings, 'inputs' | 'parseThread'>,
  hooks: Pick<ReplayHooks, 'onBad' | 'stdin'>,
): boolean {
  return parseThreadFor(settings, hooks, traceBytes(settings.inputs));
}

/** useParseThread() with the inputs' traceBytes() already read (replayPlan() reads them once). */
function parseThreadFor(settings: Pick<ReplaySettings, 'inputs' | 'parseThread'>, hooks: Pick<ReplayHooks, 'onBad' | 'stdin'>, bytes: number | null): boolean {
  const mode = settings.parseThread ?? 'auto';
  if (mode === 'off' || hooks.onBad !== undefined) return false;
  if (mode === 'on') return canReadThreaded(settings.inputs);
  // This process's standard input (a pipe may carry any amount) is forwarded to the parser thread;
  // another stream (in-process callers, tests) is read here.
  if (settings.inputs.some((i) => i.name === '-')) {
    return (hooks.stdin === undefined || hooks.stdin === process.stdin) && process.stdin.isTTY !== true && canReadThreaded(settings.inputs);
  }
  // A missing file, a directory or a FIFO (bytes null) is left to the in-process reader (which reports what is wrong).
  if (bytes === null || bytes < PARSE_THREAD_MIN_BYTES) return false;
  // The worker script is looked for last (finding its path costs about 0.5 ms): small inputs never need it.
  return !settings.inputs.some(({ name }) => isGzipFile(name)) && canReadThreaded(settings.inputs);
}

/** True when `name` is a gzip file: named `.gz`, or starting with gzip's magic bytes. */
function isGzipFile(name: string): boolean {
  if (name.endsWith('.gz')) return true;
  const head = fileHead(name, 2);
  return head !== null && isGzipMagic(head);
}

/** The first `bytes` bytes of the regular file `name` (fewer when it is shorter), or null when it cannot be read. */
function fileHead(name: string, bytes: number): Buffer | null {
  const head = Buffer.alloc(bytes);
  try {
    const fd = openSync(name, 'r'); // a regular file (traceBytes()): the open does not block
    try {
      return head.subarray(0, readSync(fd, head, 0, bytes, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // the reader reports the error
  }
}

/**
 * Makes the replayPlan() of a replay of `settings`, and starts its parse thread now when it has one: the replay command
 * calls this as soon as its options are read, so that the thread starts while the command gets ready
 * (trace/early-worker.ts), and gives the plan to runReplay() (hooks.plan), whose read takes the thread. `hooks` as
 * runReplay() will be given them.
 */
export function startParseThreadFor(settings: Pick<ReplaySettings, 'inputs' | 'parseThread' | 'input' | 'parser'>, hooks: Pick<ReplayHooks, 'onBad' | 'stdin'>): ReplayPlan {
  const plan = replayPlan(settings, hooks);
  if (plan.threaded) startParseThreadEarly();
  else dropPreStartedThread();
  return plan;
}

/** Hooks of a replay run; all optional. */
export interface ReplayHooks {
  readonly stdin?: NodeJS.ReadableStream;
  /** The plan startParseThreadFor() made (the sizes it read), so that the replay keeps to it; else replayPlan(). */
  readonly plan?: ReplayPlan;
  /** Observers to attach to the engine once it exists (events, analysis). */
  readonly observe?: (engine: ObservableEngine) => PassObserver | null;
  readonly onProgress?: (p: { bytes: number; totalBytes: number | null; records: number }) => void;
  /** A migrate pass cut in slices, part way (between slices). */
  readonly onPass?: (p: { time: number; walked: number; records: number }) => void;
  readonly shouldStop?: () => boolean;
  readonly onBad?: (err: TraceError) => void;
}

/** What a replay produced. */
export interface ReplayResult {
  readonly engine: ObservableEngine;
  readonly counters: Counter[];
  readonly summary: ReplaySummary;
  readonly read: InputStats;
  /** True when stopped early (Ctrl-C): no final pass ran, counters are partial. */
  readonly interrupted: boolean;
  /** Stopped part way through a migrate pass (its counts so far are in the counters). */
  readonly partialPass: boolean;
}

/**
 * Ring slots of a file read in blocks (threaded.ts) by a replay that counts pages, or whose rfc engine keeps its page
 * state in one array: 2^16 records, a block of 1 MiB a slot, so that the ring holds four blocks instead of about one
 * and a half (ring.ts BATCH), and the parse thread, idle for about a third of a replay, runs ahead of the engine through
 * its slow stretches (passes over many records) instead of the engine's thread parsing blocks itself in its fast ones.
 * - Counting pages (`--analysis`: page-tally.ts), the parse thread counts a slot's pages when the engine has freed it:
 *   10 alternating runs of `replay --analysis --format json` of the bench's 10 M trace, three times (2026-12-03,
 *   19:33-19:37): 0.815 -> 0.735, 0.825 -> 0.770 and 0.905 -> 0.795 s by medians, the same JSON.
 * - A plain replay (2026-12-03, 21:58-22:03, alternating runs, medians): the 10 M trace of 1.4 M pages 0.490 -> 0.420,
 *   0.485 -> 0.460 and 0.440 -> 0.420 s (15, 20 and 25 runs); 8 k pages 0.410 -> 0.360 s (15); the 1 M-page trace,
 *   2 M records and perf text alike (0.530, 0.300 -> 0.295 and 0.695 s). Peak RSS 3-5 MB more.
 * Hashed page state keeps the small ring: a replay over a 2 TiB CXL range peaked 3-5 MB higher with the large one
 * (92.7-94.8 MiB against 89.4-90.7 MiB), against its target of 95.4 MiB.
 */
const BLOCK_RING_BATCH = 1 << 16;

/** Records per ring slot of a file `engine` reads in blocks (BLOCK_RING_BATCH), or undefined for a replay's default. */
export function blockRingBatch(settings: Pick<ReplaySettings, 'rfc'>, engine: ObservableEngine): number | undefined {
  if (settings.rfc.page_counts === true) return BLOCK_RING_BATCH;
  return engine instanceof RfcV1Engine && engine.dense_page_state ? BLOCK_RING_BATCH : undefined;
}

/** Streams the traces through a fresh engine and runs the final pass. */
export async function runReplay(settings: ReplaySettings, hooks: ReplayHooks = {}): Promise<ReplayResult> {
  const stop = hooks.shouldStop;
  // What is set on the engine after construction (also on the engine that primes V8, prime.ts).
  const setup = (e: ObservableEngine): void => {
    if (stop !== undefined && isSliceable(e)) e.sliceRecords = PASS_SLICE;
  };
  const engine = createEngine(settings.engine, settings);
  setup(engine);
  if (hooks.observe) engine.observer = hooks.observe(engine);
  let sink: BatchSink = engine;
  // A migrate pass over millions of records runs for a second or more. When a stop can be asked for (Ctrl-C),
  // passes run in slices of PASS_SLICE records, and the event loop turns between slices (signal handlers run
  // there): the engine queues the records it is given meanwhile, and readers wait for settle() between chunks.
  let settle: () => Promise<void> | null = () => null;
  if (stop !== undefined && isSliceable(engine)) {
    settle = () => (engine.suspended ? catchUp(engine, stop, hooks.onPass) : null);
    const inner = sink;
    sink = {
      record_access: (pfn, nid, src, time) => inner.record_access(pfn, nid, src, time),
      record_batch: (pfn, nid, src, time, n) => {
        if (inner.record_batch) inner.record_batch(pfn, nid, src, time, n);
        else for (let i = 0; i < n; i++) inner.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
      },
      settle,
    };
  }
  const plan = hooks.plan ?? replayPlan(settings, hooks);
  const threaded = plan.threaded;
  const ringBatch = blockRingBatch(settings, engine);
  // Read on this thread: V8 is primed first, if the files are large enough (replayPlan()).
  if (!threaded && plan.prime) primeEngine(settings.engine, settings, setup);
  const read = await (threaded ? readInputsThreaded : readInputs)(settings.inputs, sink, {
    input: settings.input,
    topology: settings.rfc.topology,
    hz: settings.rfc.hz,
    ...(hooks.stdin ? { stdin: hooks.stdin } : {}),
    ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    ...(hooks.onBad ? { onBad: hooks.onBad } : {}),
    parser: settings.parser,
    // The parse thread takes tens of ms to start: this thread warms V8 up on the engine's code meanwhile.
    ...(threaded && plan.prime ? { whileStarting: () => void primeEngine(settings.engine, settings, setup) } : {}),
    // Page counts (--analysis) of a file read in blocks are counted on the parse thread (page-tally.ts); such a read has
    // a ring that holds a block a slot when the replay counts pages or keeps dense page state (BLOCK_RING_BATCH).
    ...(threaded && 'pauseCounts' in engine ? { pageCounts: engine as ObservableEngine & PageCountHandoff } : {}),
    ...(threaded && ringBatch !== undefined ? { ringBatch } : {}),
  }).catch((e: unknown) => {
    if (!(e instanceof PassInterrupted)) throw e;
    const records = engine.summary().records;
    return { records, bytes: 0, files: 0, skipped: 0, stopped: true, kinds: [], badReasons: {}, firstBad: [], perf: null } as InputStats;
  });
  // The final pass may be long too: Ctrl-C cuts it short between slices, leaving partial counters.
  let interrupted = read.stopped || stop?.() === true;
  if (!interrupted) {
    try {
      await settle(); // a pass part way after the last chunk
      engine.finish();
      await settle();
    } catch (e) {
      if (!(e instanceof PassInterrupted)) throw e;
    }
    interrupted = stop?.() === true;
  }
  const partialPass = isSliceable(engine) && engine.suspended;
  return { engine, counters: engine.counters(), summary: engine.summary(), read, interrupted, partialPass };
}
