/**
 * Reading on a second thread: a worker parses the traces (readInputs) into a shared ring while this thread
 * applies the records, so on two cores a replay costs about max(parse, engine) instead of their sum. The
 * records reach the sink in exactly the order readInputs() would give them; errors and stats are the same.
 * This process's standard input is read by the worker itself (file descriptor 0); another stream is piped through
 * to the worker's stdin. One regular CSV or perf text file is parsed in blocks by both threads (parallel.ts), and so is
 * CSV on standard input (stream-blocks.ts, stream-apply.ts).
 */
import { existsSync } from 'node:fs';
import type { BatchSink } from '../engine/types.js';
import { BLOCK_BYTES, openBlockFile } from './blocks.js';
import { FIRST_BAD_SHOWN, type InputStats } from './input.js';
import type { TraceInput } from './read.js';
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
  const file = opts.blockBytes === 0 ? null : openBlockFile(inputs, opts.input!, opts.parser ?? 'auto');
  const b = file !== null ? await readBlocksThreaded(inputs, file, sink, opts) : null;
  if (b !== null) {
    if (b.resume === null) return b.stats;
    // An irregular block: the general reader goes on from its first line not taken, on a new parse thread (with a
    // perf file's counts so far: its stats are the whole file's).
    const rest = await readInputsThreaded([{ name: inputs[0]!.name, start: b.resume }], sink, { ...opts, whileStarting: () => {} });
    const badReasons = { ...b.stats.badReasons };
    for (const [k, n] of Object.entries(rest.badReasons)) badReasons[k] = (badReasons[k] ?? 0) + n;
    return {
      ...rest,
      records: b.stats.records + rest.records,
      bytes: b.resume.offset + rest.bytes,
      skipped: b.stats.skipped + rest.skipped,
      badReasons,
      firstBad: [...b.stats.firstBad, ...rest.firstBad].slice(0, FIRST_BAD_SHOWN),
    };
  }
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
  const { message: finished, ending } = lastMessage(worker);
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

