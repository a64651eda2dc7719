/**
 * A threaded read of one regular file in blocks (blocks.ts), parsed by both threads: a CSV file from its start, a
 * perf text file after the head its perf reader read on this thread (perf-blocks.ts). The parse thread claims
 * blocks in turn and parses them into the shared ring; the engine's thread applies the records in file order,
 * and whenever it has nothing to apply (the parse thread is still starting, or parsing is the slower half of the
 * replay) it claims the next block and parses it itself, holding at most MAX_OWN such blocks. So a replay whose
 * parsing costs more than its engine uses both cores for parsing, and the engine's thread never idles while
 * the parse thread boots.
 *
 * At the first irregular block (a line the block parsers do not take) the records before that line are applied,
 * both threads stop, and readInputsThreaded() reads on from that line with the general reader on a new parse
 * thread (read.ts ResumeAt: its line count and header state), so records, errors and line numbers, skipped
 * lines and stats are those of the general reader.
 */
import { closeSync, fstatSync } from 'node:fs';
import { PageTally, type PageCountHandoff } from '../engine/page-tally.js';
import type { BatchSink } from '../engine/types.js';
import { BLOCK_BYTES, BlockReader, layoutBlockScan, readCsvHead, scanBlock, type BlockFile, type BlockResult, type CsvHead, type PerfBlockCounts } from './blocks.js';
import { applyBatch, applyColumns, Columns } from './columns.js';
import { addPerf, clonePerfStats, emptyPerfStats, type InputOptions, type InputStats, type PerfInputStats } from './input.js';
import type { ParseWorkerData } from './parse-worker.js';
import { perfBlockScan, readPerfHead, type PerfHead } from './perf-blocks.js';
import type { PerfReadStats } from './perf-read.js';
import { ioError, type ResumeAt, type TraceInput } from './read.js';
import {
  CTL_DONE, CTL_ERROR, CTL_NEXT_BLOCK, CTL_STOP, CTL_TALLY, M_BLOCK, M_EVENTS, M_HEADER, M_LAST, M_LINES, M_MISSING, M_NOCPU, M_NONSAMPLE, M_OTHER,
  M_STOP, M_ZERO, META, ring, ringBytes, SLOTS, BATCH,
} from './ring.js';
import { ringMemory } from './plain-wasm.js';
import { parkParseThread, parseThread } from './early-worker.js';
import { abandon, baseWorkerData, lastMessage, rebuild, slotViews, waitAsync } from './worker-link.js';

/** Most blocks the engine's thread holds parsed ahead of the block it applies. */
const MAX_OWN = 2;
/** Longest stretch of work without a turn of the event loop (signal handlers run there). */
const YIELD_MS = 50;

/** How the block read went: its stats, or where the general reader must go on. */
export interface BlockReadResult {
  readonly stats: InputStats;
  /** Set when a block was irregular: the general reader reads from here. */
  readonly resume: ResumeAt | null;
  /** Blocks applied that this thread parsed, and that the parse thread did (a diagnostic). */
  readonly blocksHere: number;
  readonly blocksThere: number;
  /** Records applied from the ring, and records the parse thread's parser wrote straight into it (diagnostics). */
  readonly recordsThere: number;
  readonly directThere: number;
}

/** What a read with a parse thread is given (readBlocksThreaded(), and threaded.ts readInputsThreaded()). */
export type ThreadedReadOptions = InputOptions & {
  topology: NonNullable<InputOptions['topology']>;
  hz: number;
  /** Bytes per block of a block read (this file, stream-blocks.ts); 0: no block read (the parse thread reads it all). */
  blockBytes?: number;
  /**
   * A file read in blocks (this file) only: records per slot of its ring (ring.ts BATCH unless said) and bytes per
   * block (blockBytes, else BLOCK_BYTES). Every other read (standard input, gzip, what follows an irregular block)
   * keeps a replay's ring and blocks.
   */
  ringBatch?: number;
  fileBlockBytes?: number;
  /** The engine, when it counts pages and a block read may count them on the parse thread instead (page-tally.ts). */
  pageCounts?: PageCountHandoff;
  /** A block read that goes to its end keeps its parse thread for the next read (early-worker.ts parkParseThread()). */
  keepThread?: boolean;
};

/**
 * Reads `file` (open, the one input) in blocks on two threads into `sink`. Closes the file. `blockBytes` is for
 * tests (small blocks: many boundaries). Null, with nothing read into `sink`, for a perf file whose head gives the
 * block parsers nothing to take (perf-blocks.ts): the caller reads it as before.
 */
export async function readBlocksThreaded(inputs: readonly TraceInput[], file: BlockFile, sink: BatchSink, opts: ThreadedReadOptions): Promise<BlockReadResult | null> {
  const blockBytes = opts.fileBlockBytes ?? opts.blockBytes ?? BLOCK_BYTES;
  let head: PerfHead | null = null;
  if (file.kind === 'perf') {
    const records = new Columns(1024);
    try {
      head = readPerfHead(file.fd, file.size, inputs[0]!.name, opts, opts.input!, records);
    } catch (e) {
      closeSync(file.fd);
      // A bad line in the head: the records before it are applied, as a read on the parse thread applies them.
      applyColumns(sink, records, BATCH);
      throw e;
    }
    if (head === null) {
      closeSync(file.fd);
      return null;
    }
  }
  // A CSV header the block parsers do not take themselves (another layout, quoted or padded names): read here, and
  // the blocks start after it, read by the layout loop.
  let csvHead: CsvHead | null = null;
  if (file.kind === 'csv') {
    try {
      csvHead = readCsvHead(file.fd, file.size, inputs[0]!.name);
    } catch (e) {
      closeSync(file.fd);
      throw ioError(inputs[0]!.name, e);
    }
  }
  const perfShape = head?.shape ?? null;
  // Page counts (replay --analysis): the records from the ring are counted on the parse thread, those parsed here on
  // this one, and the engine counts none until both tallies are added at the end (page-tally.ts).
  const handoff = opts.pageCounts;
  const tally = handoff?.pauseCounts() === true ? new PageTally(opts.topology) : null;
  const layout = csvHead !== null ? { fieldOf: csvHead.fieldOf, width: csvHead.width } : null;
  const scan = perfShape !== null ? perfBlockScan(perfShape) : layout !== null ? layoutBlockScan(layout.fieldOf, layout.width) : scanBlock;
  const reader = new BlockReader(file.fd, file.size, blockBytes, head?.end ?? csvHead?.end ?? 0, scan);
  // A CSV file's ring lies in the memory of the parse thread's WebAssembly parser, which writes records into its slots.
  const batch = opts.ringBatch ?? BATCH;
  const shared = file.kind === 'csv' ? ringMemory(ringBytes(batch)) : null;
  const r = shared !== null ? ring(batch, shared.memory.buffer as SharedArrayBuffer, shared.ringAt) : ring(batch);
  const data: ParseWorkerData = {
    ...baseWorkerData(r, inputs, opts),
    ...(shared !== null ? { ringMemory: shared } : {}),
    blocks: { size: file.size, blockBytes, base: reader.base, perf: perfShape, layout },
    ...(tally !== null ? { countPages: true } : {}),
  };
  let worker: import('node:worker_threads').Worker;
  try {
    worker = await parseThread(data);
  } catch (e) {
    closeSync(file.fd);
    if (tally !== null) handoff!.resumeCounts();
    throw e;
  }
  // The parse thread's message is looked at only when the ring says it failed, or for its tally.
  const { message: failed, ending, release, failure } = lastMessage(worker);
  const { state, count, meta } = r;
  const views = slotViews(r);
  const own = new Map<number, { cols: Columns; res: BlockResult }>();
  const spare: Columns[] = [];
  let slot = 0;
  let expect = 0; // the block applied next
  let blockRecords = 0; // records of block `expect` applied so far
  let applied = 0;
  let lines = head?.stats.lines ?? csvHead?.lines ?? 0;
  let started = csvHead !== null;
  let resume: ResumeAt | null = null;
  let blocksHere = 0;
  let blocksThere = 0;
  let recordsThere = 0;
  /** The perf blocks' counts so far (perf text). */
  const perf: PerfBlockCounts | null =
    perfShape !== null ? { nonSample: 0, zero: 0, missing: 0, noCpu: 0, other: 0, samples: [...perfShape.events, ...perfShape.rejected].map(() => 0) } : null;
  /** Block `expect` is applied: its result decides whether the general reader takes over. */
  const endBlock = (res: Pick<BlockResult, 'lines' | 'header' | 'stop' | 'perf'>): void => {
    if (perf !== null && res.perf !== undefined) {
      perf.nonSample += res.perf.nonSample;
      perf.zero += res.perf.zero;
      perf.missing += res.perf.missing;
      perf.noCpu += res.perf.noCpu;
      perf.other += res.perf.other;
      for (let e = 0; e < perf.samples.length; e++) perf.samples[e] += res.perf.samples[e]!;
    }
    lines += res.lines;
    if (res.header || blockRecords > 0) started = true;
    if (res.stop >= 0) resume = { offset: res.stop, line: lines, started };
    expect++;
    blockRecords = 0;
  };
  const progress = (): void =>
    opts.onProgress?.({ bytes: Math.min(file.size, reader.at(expect)), totalBytes: file.size, records: applied });
  /** The read's stats: `bytes` read, the records applied so far; `perfStats` those of perf text. */
  const stats = (bytes: number, stopped: boolean, perfStats: PerfInputStats | null = null): InputStats => ({
    records: applied,
    bytes,
    files: 1,
    stopped,
    kinds: [file.kind],
    skipped: head?.bad.skipped ?? 0,
    badReasons: { ...head?.bad.badReasons },
    firstBad: head?.bad.firstBad.slice() ?? [],
    perf: perfStats,
  });
  /** The sink's settle() promise when it fell behind (a migrate pass part way): awaited before going on. */
  let behind: Promise<void> | null = null;
  /** Every block applied, and the file read to its end (not stopped, no error, nothing for the general reader). */
  let completed = false;

  /**
   * Applies what is next in order for up to YIELD_MS; when nothing is, parses the next unclaimed block (at most
   * MAX_OWN held). False when there was nothing to do. (Parsing only after the ring stayed empty for 0.5 ms, so as
   * not to take blocks the parse thread was about to deliver, measured slower on every trace tried.)
   */
  const work = (): boolean => {
    const until = Date.now() + YIELD_MS;
    let any = false;
    while (resume === null && expect < reader.blocks) {
      const mine = own.get(expect);
      if (mine !== undefined) {
        const c = mine.cols;
        applyColumns(sink, c, r.batch);
        tally?.count(c.pfn, 0, c.n);
        applied += c.n;
        blockRecords += c.n;
        own.delete(expect);
        c.n = 0;
        spare.push(c);
        blocksHere++;
        endBlock(mine.res);
      } else if (Atomics.load(state, slot) === 1) {
        const m = slot * META;
        if (meta[m + M_BLOCK] !== expect) throw new Error(`parser thread gave block ${meta[m + M_BLOCK]} where block ${expect} was due`);
        const n = count[slot]!;
        const v = views[slot]!;
        applyBatch(sink, v.pfn, v.nid, v.src, v.time, n);
        applied += n;
        recordsThere += n;
        blockRecords += n;
        if (meta[m + M_LAST] === 1) {
          blocksThere++;
          endBlock({
            lines: meta[m + M_LINES]!,
            header: meta[m + M_HEADER] === 1,
            stop: meta[m + M_STOP]!,
            ...(perf !== null ? { perf: perfOfMeta(meta, m, perf.samples.length) } : {}),
          });
        }
        Atomics.store(state, slot, 0);
        Atomics.notify(state, slot);
        slot = (slot + 1) % SLOTS;
      } else if (own.size < MAX_OWN) {
        // Nothing to apply: parse the next unclaimed block here.
        const k = Atomics.add(state, CTL_NEXT_BLOCK, 1);
        if (k >= reader.blocks) return any;
        // Sized for lines of 24 bytes or more (a bench line has 30); shorter ones make it grow.
        const cols = spare.pop() ?? new Columns(Math.ceil(blockBytes / 24) + 1);
        let res: BlockResult;
        try {
          res = reader.parse(k, cols);
        } catch (e) {
          throw ioError(inputs[0]!.name, e); // as the general reader reports a read error
        }
        own.set(k, { cols, res });
      } else return any;
      any = true;
      if ((behind = sink.settle?.() ?? null) !== null || opts.shouldStop?.() || Date.now() >= until) break;
    }
    return any;
  };

  opts.whileStarting?.();
  try {
    if (head !== null) {
      // The head's records come first.
      applyColumns(sink, head.records, r.batch);
      tally?.count(head.records.pfn, 0, head.records.n);
      applied += head.records.n;
      const b = sink.settle?.() ?? null;
      if (b !== null) await b;
    }
    for (;;) {
      const any = work();
      progress();
      // Stopped: the replay's outputs are discarded, and so are the page counts (the engine stays paused).
      if (opts.shouldStop?.()) return { stats: stats(Math.min(file.size, reader.at(expect)), true), resume: null, blocksHere, blocksThere, recordsThere, directThere: r.progress[3]! };
      if (behind !== null) {
        const b: Promise<void> = behind;
        behind = null;
        await b;
      }
      if (resume !== null || expect >= reader.blocks) break;
      if (any) {
        await new Promise((res) => setImmediate(res));
        continue;
      }
      if (Atomics.load(state, CTL_DONE) === 1 && Atomics.load(state, slot) !== 1) {
        // The parse thread ended with blocks still due: it failed.
        const m = Atomics.load(state, CTL_ERROR) === 1 ? await failed : null;
        throw m !== null ? rebuild(m) : new Error(`parser thread ended before block ${expect}`);
      }
      // A parse thread that died without a word: its error (its blocks not yet parsed are claimed here meanwhile).
      const died = failure();
      if (died !== null) throw died;
      const w = waitAsync(state, slot, 0, 200);
      if (w.async) await w.value;
    }
    // The blocks cover the file as it was when opened. If it grew since (a trace still being written), the general
    // reader reads on from there, as it reads a file to its end. If it shrank, the blocks past the cut read
    // nothing, and what was cut would be missing without a word.
    const now = fstatSync(file.fd).size;
    if (now < file.size) throw ioError(inputs[0]!.name, new Error(`the file shrank while it was read (${file.size} bytes when opened, ${now} when the read ended)`));
    if (resume === null && now > file.size) resume = { offset: file.size, line: lines, started };
    if (tally !== null) {
      // No more slots are applied: the parse thread counts those applied since it last wrote them, and posts its tally.
      stopParseThread(state);
      Atomics.store(state, CTL_TALLY, 1);
      Atomics.notify(state, CTL_TALLY);
      const m = await failed;
      if (m.type !== 'tally') throw rebuild(m);
      handoff!.addCounts(m.tally); // first: it holds most counts (the engine may take its bytes as they are)
      handoff!.addCounts(tally.snapshot());
      handoff!.resumeCounts();
    }
    completed = resume === null;
  } finally {
    // A stop (Ctrl-C) while the sink was behind (a migrate pass part way) leaves its settle() promise unawaited: it
    // rejects to abandon the read, which stopping does anyway; unhandled, the rejection would end the process.
    abandon(behind);
    ending();
    stopParseThread(state);
    closeSync(file.fd);
    // Kept for the next file once it said it is done with this one (its tally, or the message after it stopped).
    const done = completed && opts.keepThread === true ? (tally !== null ? 'tally' : (await failed.catch(() => null))?.type) : undefined;
    if (done === 'tally' || done === 'blocks-done') {
      release();
      await parkParseThread(worker);
    } else await worker.terminate();
  }
  const bytes = resume !== null ? (resume as ResumeAt).offset : file.size;
  // The general reader going on after the blocks takes the header again, for its layout.
  if (resume !== null && csvHead !== null) resume = { ...(resume as ResumeAt), header: csvHead.header };
  if (head === null || perf === null) return { stats: stats(bytes, false), resume, blocksHere, blocksThere, recordsThere, directThere: r.progress[3]! };
  // perf text: the head's counts and the blocks', after those of the perf files read before (opts.perfPrior). The
  // warnings about samples skipped are the caller's, over all the files (input.ts withPerfWarnings()).
  const total = opts.perfPrior != null ? clonePerfStats(opts.perfPrior) : emptyPerfStats();
  addPerf({ perf: total }, perfReadStats(head, perf, lines, applied));
  if (resume === null) return { stats: stats(bytes, false, total), resume, blocksHere, blocksThere, recordsThere, directThere: r.progress[3]! };
  // The general reader goes on with these counts (this file not counted: it counts it), and returns them with its own.
  const at: ResumeAt = { ...(resume as ResumeAt), perf: { shape: head.stats.shape!, prior: { ...total, files: total.files - 1 } } };
  return { stats: stats(bytes, false), resume: at, blocksHere, blocksThere, recordsThere, directThere: r.progress[3]! };
}

/** Asks the parse thread to stop, and wakes it if it waits for a slot (one this thread may never free). */
function stopParseThread(state: Int32Array): void {
  Atomics.store(state, CTL_STOP, 1);
  for (let s = 0; s < SLOTS; s++) Atomics.notify(state, s);
}

/** A perf block's counts from its ring slot's meta words (at `m`), for `events` events. */
function perfOfMeta(meta: Float64Array, m: number, events: number): PerfBlockCounts {
  const samples: number[] = [];
  for (let e = 0; e < events; e++) samples.push(meta[m + M_EVENTS + e]!);
  return {
    nonSample: meta[m + M_NONSAMPLE]!, zero: meta[m + M_ZERO]!, missing: meta[m + M_MISSING]!, noCpu: meta[m + M_NOCPU]!, other: meta[m + M_OTHER]!,
    samples,
  };
}

/** The perf reader's stats of the head and the blocks after it, `lines` and `records` in all: as one read of them. */
function perfReadStats(head: PerfHead, blocks: PerfBlockCounts, lines: number, records: number): PerfReadStats {
  const h = head.stats;
  const events = new Map(h.events);
  const names = [...head.shape.events, ...head.shape.rejected].map((b) => Buffer.from(b).toString('utf8'));
  let samples = h.samples;
  names.forEach((name, e) => {
    const n = blocks.samples[e]!;
    samples += n;
    if (n > 0) events.set(name, (events.get(name) ?? 0) + n);
  });
  return {
    ...h,
    lines,
    samples,
    records,
    nonSample: h.nonSample + blocks.nonSample,
    skipped: {
      ...h.skipped,
      phys_addr_zero: h.skipped.phys_addr_zero + blocks.zero,
      phys_addr_missing: h.skipped.phys_addr_missing + blocks.missing,
      cpu_not_in_topology: h.skipped.cpu_not_in_topology + blocks.noCpu,
      other_event: h.skipped.other_event + blocks.other,
    },
    events,
  };
}
