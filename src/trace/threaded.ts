/**
 * Reading on a second thread: a worker parses the traces (readInputs) into a shared ring while this thread
 * applies the records, so on two cores a replay costs about max(parse, engine) instead of their sum. The
 * records reach the sink in exactly the order readInputs() would give them; errors and stats are the same.
 * This process's standard input is read by the worker itself (file descriptor 0); another stream is piped through
 * to the worker's stdin. One regular CSV or perf text file is parsed in blocks by both threads (parallel.ts), several
 * such files one after the other with one parse thread (readFilesInBlocks()), and CSV on standard input too
 * (stream-blocks.ts, stream-apply.ts).
 */
import { existsSync } from 'node:fs';
import type { BatchSink } from '../engine/types.js';
import { BLOCK_BYTES, openBlockFile } from './blocks.js';
import { FIRST_BAD_SHOWN, withPerfWarnings, type InputStats } from './input.js';
import { totalSize, type ReadProgress, type TraceInput } from './read.js';
import { applyBatch } from './columns.js';
import { readBlocksThreaded, type ThreadedReadOptions } from './parallel.js';
import { CTL_DONE, CTL_ERROR, CTL_STOP, M_BLOCK, M_HEADER, M_LAST, M_LINES, M_STOP, META, ring, SLOTS } from './ring.js';
import { BlockApplier } from './stream-apply.js';
import { streamBlocks } from './stream-blocks.js';
import { parseThread } from './early-worker.js';
import type { ParseWorkerData } from './parse-worker.js';
import { abandon, baseWorkerData, lastMessage, parseWorkerPath, rebuild, slotViews, waitAsync } from './worker-link.js';

/** Whether a threaded read can serve these inputs: the worker script is built (stdin is forwarded to it). */
export function canReadThreaded(inputs: readonly TraceInput[]): boolean {
  return inputs.length > 0 && existsSync(parseWorkerPath());
}

/** Longest stretch of applying records without a turn of the event loop (signal handlers run there). */
const YIELD_MS = 50;

/** readInputs() with the parsing on a worker thread; `sink` gets every record in order. */
export async function readInputsThreaded(
  inputs: readonly TraceInput[],
  sink: BatchSink,
  opts: ThreadedReadOptions & {
    /** Standard input read in blocks: called at the end with the blocks parsed on this thread and on the parse thread (a diagnostic). */
    onBlockCounts?: (here: number, there: number) => void;
  },
): Promise<InputStats> {
  if (inputs.length > 1 && opts.blockBytes !== 0) return readFilesInBlocks(inputs, sink, opts);
  const file = opts.blockBytes === 0 ? null : openBlockFile(inputs, opts.input!, opts.parser ?? 'auto');
  const b = file !== null ? await readBlocksThreaded(inputs, file, sink, opts) : null;
  if (b !== null) {
    if (b.resume === null) return withPerfWarnings(b.stats, opts.input);
    // An irregular block: the general reader goes on from its first line not taken, on a new parse thread (with a
    // perf file's counts so far: its stats are the whole file's). b.stats.bytes: the blocks' bytes, up to that line.
    const rest = await readThreadedGeneral([{ name: inputs[0]!.name, start: b.resume }], sink, { ...opts, whileStarting: () => {} });
    return joinStats(b.stats, rest, true);
  }
  return readThreadedGeneral(inputs, sink, opts);
}

/**
 * The stats of a read of some inputs, then of a read of the ones after (its stop and kinds follow). `resumed`: the second
 * read went on in the first's last file (from an irregular block), and counts that file again. The second read's perf
 * counts went on from the first's (InputOptions.perfPrior, or a resumed perf file's prior counts): they are the sums,
 * unless it read no perf file.
 */
function joinStats(before: InputStats, after: InputStats, resumed = false): InputStats {
  const badReasons = { ...before.badReasons };
  for (const [k, n] of Object.entries(after.badReasons)) badReasons[k] = (badReasons[k] ?? 0) + n;
  const notes = [...(before.notes ?? []), ...(after.notes ?? [])];
  const kinds = resumed ? before.kinds.slice(0, -1) : before.kinds;
  return {
    ...after,
    files: before.files + after.files - (resumed ? 1 : 0),
    kinds: [...kinds, ...after.kinds],
    records: before.records + after.records,
    bytes: before.bytes + after.bytes,
    skipped: before.skipped + after.skipped,
    badReasons,
    firstBad: [...before.firstBad, ...after.firstBad].slice(0, FIRST_BAD_SHOWN),
    perf: after.perf ?? before.perf,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Several inputs: each regular CSV or perf text file in turn in blocks on two threads (readBlocksThreaded()), with one
 * parse thread that goes from file to file (keepThread); from the first input that is not such a file (standard input,
 * gzip, perf text whose head gives the block parsers nothing) or from an irregular block on, the rest as one read by
 * the general reader on the parse thread. Each read's perf counts go on from those of the files before (perfPrior),
 * and the warnings about perf samples skipped are made once, over all of them. Records, errors and stats are those of
 * readInputs() over them all.
 */
async function readFilesInBlocks(inputs: readonly TraceInput[], sink: BatchSink, opts: ThreadedReadOptions): Promise<InputStats> {
  const total = await totalSize(inputs);
  let done: InputStats | null = null;
  /** The options of the read that starts at input `i`: its progress counted after the inputs before. */
  const from = (i: number): ThreadedReadOptions => {
    const bytes = done?.bytes ?? 0;
    const records = done?.records ?? 0;
    const onProgress = opts.onProgress;
    return {
      ...opts,
      // The next input takes the thread, unless it is standard input forwarded to a thread of its own (parseThread()).
      keepThread: i < inputs.length - 1 && inputs[i + 1]!.name !== '-',
      perfPrior: done?.perf ?? null,
      ...(i > 0 ? { whileStarting: () => {} } : {}),
      ...(onProgress !== undefined ? { onProgress: (p: ReadProgress) => onProgress({ bytes: bytes + p.bytes, totalBytes: total, records: records + p.records }) } : {}),
    };
  };
  for (let i = 0; i < inputs.length; i++) {
    const file = openBlockFile([inputs[i]!], opts.input!, opts.parser ?? 'auto');
    // (null for perf text whose head gives the block parsers nothing: the file closed, nothing read from it)
    const b = file !== null ? await readBlocksThreaded([inputs[i]!], file, sink, from(i)) : null;
    if (b === null) {
      const rest = await readThreadedGeneral(inputs.slice(i), sink, from(i));
      return done === null ? rest : joinStats(done, rest);
    }
    done = done === null ? b.stats : joinStats(done, b.stats);
    if (b.stats.stopped) return withPerfWarnings(done, opts.input);
    if (b.resume !== null) {
      // The general reader reads on from the block's first line not taken (it counts this file again), then the rest.
      const rest = await readThreadedGeneral([{ name: inputs[i]!.name, start: b.resume }, ...inputs.slice(i + 1)], sink, from(i + 1));
      return joinStats(done, rest, true);
    }
  }
  return withPerfWarnings(done!, opts.input);
}

/** The general reader (readInputs()) on the parse thread: standard input, gzip, perf text, several inputs, what follows an irregular block. */
async function readThreadedGeneral(
  inputs: readonly TraceInput[],
  sink: BatchSink,
  opts: ThreadedReadOptions & { onBlockCounts?: (here: number, there: number) => void },
): Promise<InputStats> {
  const r = ring();
  const data = baseWorkerData(r, inputs, opts);
  // This process's standard input (a pipe or a file) is read by the worker from file descriptor 0 itself
  // (fd-stream.ts); another stream (tests, in-process callers) is forwarded chunk by chunk to the worker's stdin.
  const wantsStdin = inputs.some((i) => i.name === '-');
  // node:tty (and net, which it loads) only when standard input is read: start-up.
  const byFd = wantsStdin && (opts.stdin === undefined || opts.stdin === process.stdin) && !(await import('node:tty')).isatty(0);
  const readsStdin = wantsStdin && !byFd;
  // Standard input alone, as CSV: parsed in blocks by both threads (stream-blocks.ts), when the parse thread finds
  // CSV there.
  const sb =
    inputs.length === 1 && inputs[0]!.name === '-' && opts.blockBytes !== 0 && opts.parser !== 'csv-parse' && opts.input?.kind !== 'perf'
      ? streamBlocks(opts.blockBytes ?? BLOCK_BYTES)
      : null;
  const workerData: ParseWorkerData = {
    ...data,
    ...(byFd ? { stdinFd: true } : {}),
    ...(sb !== null ? { streamBlocks: { buffer: sb.buffer, blockBytes: sb.blockBytes } } : {}),
  };
  const worker = await parseThread(workerData, readsStdin);
  // process.stdin is touched only when read here: creating its stream costs about 3 ms of start-up.
  const from = (readsStdin ? (opts.stdin ?? process.stdin) : null) as (NodeJS.ReadableStream & { destroy?: () => void }) | null;
  if (from !== null && worker.stdin) {
    from.on('error', () => worker.stdin!.end());
    from.pipe(worker.stdin);
  }
  const { message: finished, ending, failure } = lastMessage(worker);
  const views = slotViews(r);
  const { state, count, meta } = r;
  let slot = 0;
  let applied = 0;
  let stopRequested = false;
  /** The sink's settle() promise when it fell behind (a migrate pass part way): awaited before the next slot. */
  let behind: Promise<void> | null = null;
  const blocks = sb !== null ? new BlockApplier(sb, sink, r.batch) : null;
  /**
   * Applies what is next in order for up to YIELD_MS: the published slots, and with standard input in blocks, the
   * blocks this thread parsed, parsing the next sealed block when nothing else is due. False when it did nothing.
   */
  const applyReady = (): boolean => {
    const until = Date.now() + YIELD_MS;
    let any = false;
    for (;;) {
      const mine = blocks?.applyOwn() ?? -1;
      if (mine >= 0) applied += mine;
      else if (Atomics.load(state, slot) === 1) {
        const n = count[slot]!;
        const v = views[slot]!;
        const m = slot * META;
        const block = meta[m + M_BLOCK]!;
        if (block < 0 || blocks === null) {
          // Records read by the general reader (before or after any blocks).
          applyBatch(sink, v.pfn, v.nid, v.src, v.time, n);
          applied += n;
        } else applied += blocks.applySlot(block, v, n, meta[m + M_LAST] === 1 ? { lines: meta[m + M_LINES]!, header: meta[m + M_HEADER] === 1, stop: meta[m + M_STOP]! } : null);
        Atomics.store(state, slot, 0);
        Atomics.notify(state, slot);
        slot = (slot + 1) % SLOTS;
      } else if (blocks === null || !blocks.parseNext()) return any;
      any = true;
      opts.onProgress?.({ bytes: r.progress[0]!, totalBytes: r.progress[1]! < 0 ? null : r.progress[1]!, records: applied });
      if (opts.shouldStop?.()) {
        stopRequested = true;
        break;
      }
      if ((behind = sink.settle?.() ?? null) !== null) break;
      if (Date.now() >= until) break;
    }
    return any;
  };
  opts.whileStarting?.();
  try {
    for (;;) {
      // The engine's work runs in stretches of at most YIELD_MS (plus one batch); between stretches the event loop
      // turns, so signal handlers run and shouldStop() sees them. (A long migrate pass runs in slices with a turn
      // of the event loop between them: the sink's settle(), run/replay.ts.)
      const any = applyReady();
      if (stopRequested || opts.shouldStop?.()) return stopped(applied, r.progress[0]!);
      if (behind !== null) {
        const b = behind;
        behind = null;
        await b;
      }
      if (any) {
        await new Promise((resolve) => setImmediate(resolve));
        if (opts.shouldStop?.()) return stopped(applied, r.progress[0]!);
        continue;
      }
      // Every block applied once the stream ended: the parse thread may finish.
      blocks?.endIfDone();
      if (Atomics.load(state, CTL_DONE) === 1) {
        // The producer publishes its last slot before it sets DONE: look at the slot once more.
        if (Atomics.load(state, slot) === 1) continue;
        break;
      }
      // A parse thread that died without a word (an uncaught error, killed): its error, not a wait for ever.
      const died = failure();
      if (died !== null) throw died;
      // Sleep until the producer publishes this slot or finishes (it notifies every slot then).
      const w = waitAsync(state, slot, 0, 200);
      if (w.async) await w.value;
      // Ctrl-C: the counters are those of the records applied so far; the parser thread is ended below.
      if (opts.shouldStop?.()) return stopped(applied, r.progress[0]!);
    }
    const m = await finished;
    if (Atomics.load(state, CTL_ERROR) === 1 || m.type !== 'done') throw rebuild(m);
    if (blocks !== null) opts.onBlockCounts?.(blocks.here, blocks.there);
    return { ...m.stats, records: applied };
  } finally {
    abandon(behind); // a stop while the sink was behind (parallel.ts says why)
    ending();
    Atomics.store(state, CTL_STOP, 1); // the parser stops between chunks, if it still runs
    if (from !== null && worker.stdin) {
      from.unpipe(worker.stdin);
      from.destroy?.(); // nothing more is read from it: let the process end without waiting for EOF
    }
    await worker.terminate();
  }
}

/** Stats of a read stopped by Ctrl-C after `records` records. */
function stopped(records: number, bytes: number): InputStats {
  return { records, bytes, files: 0, skipped: 0, stopped: true, kinds: [], badReasons: {}, firstBad: [], perf: null };
}

