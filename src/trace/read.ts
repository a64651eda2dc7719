/**
 * Trace input (SPEC 4): replays CSV traces from files, `.gz` files and standard input as one stream
 * of access records, without ever holding a whole trace in memory.
 */
import { createReadStream } from 'node:fs';
import { FdFile, statPath } from './fd-file.js';
import { GzipTail, createGunzip, gzipZerosNote } from './gunzip.js';
import { TraceError } from '../errors.js';
import type { AccessSink, BatchSink } from '../engine/types.js';
import { CsvPath } from './csvpath.js';
import { FastParser } from './fast.js';
import { TraceFile, type ReadContext } from './tracefile.js';
import { readAhead } from './read-ahead.js';
import { checkedStdin } from './stdin-size.js';
import type { PerfShape } from './perf-fields.js';
import type { PerfInputStats } from './input.js';
import type { CsvHeader } from './blocks.js';

/** One trace to read. */
export interface TraceInput {
  /** As the user gave it; `-` is standard input. */
  name: string;
  /** Already opened (input.ts: a FIFO, a gzip stream sniffed by content): read this instead of opening `name`. */
  stream?: NodeJS.ReadableStream;
  /** A regular file whose first lines were read in blocks (trace/parallel.ts): read from here on. */
  start?: ResumeAt;
}

/** Where a reader takes over a regular file from the block readers (trace/parallel.ts). */
export interface ResumeAt {
  /** First byte not read yet: the start of a line. */
  readonly offset: number;
  /** Physical lines before it. */
  readonly line: number;
  /** A content line (the header, or data) came before it. */
  readonly started: boolean;
  /** A CSV file's header read before the blocks (blocks.ts readCsvHead()): taken again for its layout. */
  readonly header?: CsvHeader;
  /** A perf text file: the shape its lines were read with, and the perf counts of the lines before (files 0). */
  readonly perf?: { readonly shape: PerfShape; readonly prior: PerfInputStats };
}

/** Progress of a replay, for a status line. */
export interface ReadProgress {
  /** Input bytes read so far (compressed bytes for `.gz` files). */
  bytes: number;
  /** Sum of the input file sizes, or null when one is a pipe or standard input. */
  totalBytes: number | null;
  /** Records handed to the sink so far. */
  records: number;
}

/** How to read. */
export interface ReadOptions {
  /** Standard input; default process.stdin (tests pass a Readable). */
  stdin?: NodeJS.ReadableStream;
  /** Called between chunks, at most every 64 MiB or 250 ms, and after each file. */
  onProgress?: (p: ReadProgress) => void;
  /** Checked between chunks (Ctrl-C); when true, reading stops and the stats say stopped. */
  shouldStop?: () => boolean;
  /** When given, a bad line is passed here and skipped instead of thrown (`--skip-bad`). */
  onBad?: (err: TraceError) => void;
  /** `csv-parse` forces the reference parser; `auto` and `fast` use the byte parser with csv-parse as fallback. */
  parser?: 'auto' | 'fast' | 'csv-parse';
}

/** What a replay read. */
export interface ReadStats {
  records: number;
  bytes: number;
  /** Inputs opened (the one being read when stopped included). */
  files: number;
  /** Bad lines passed to onBad. */
  skipped: number;
  /** True when shouldStop ended the read early. */
  stopped: boolean;
  /** What the read ignored that is not a bad line, for stderr without `kpromo: ` (gzip's trailing zero bytes). */
  notes?: string[];
}

/** Size of the reused read buffer: large enough that parsing, not reading, dominates. */
const CHUNK_BYTES = 1 << 20;
const PROGRESS_BYTES = 64 << 20;
const PROGRESS_MS = 250;

/** Reads `inputs` in order as one stream, calling sink.record_access for every record. */
export async function readTraces(inputs: TraceInput[], sink: AccessSink, opts: ReadOptions = {}): Promise<ReadStats> {
  const list = inputs.length === 0 ? [{ name: '-' }] : inputs;
  const ctx: ReadContext = { sink, onBad: opts.onBad, records: 0, skipped: 0 };
  const stats: ReadStats = { records: 0, bytes: 0, files: 0, skipped: 0, stopped: false };
  const progress = new Progress(opts.onProgress, await totalSize(list), ctx);
  const useFast = opts.parser !== 'csv-parse';
  const notes: string[] = [];
  for (const input of list) {
    stats.files++;
    const file = new TraceFile(input.name, ctx);
    if (input.start !== undefined) {
      const h = input.start.header;
      if (h !== undefined) file.applyCells(h.cells, h.line, () => h.text);
      file.line = input.start.line;
      file.started = input.start.started;
    }
    const reader = new FileReader(file, useFast);
    const stopped = input.stream !== undefined
      ? await readStream(input.name, input.stream, reader, progress, opts.shouldStop ?? (() => false), null)
      : await readOne(input.name, reader, progress, opts, input.start?.offset ?? 0, notes);
    if (stopped) {
      stats.stopped = true;
      break;
    }
    reader.end();
    progress.report(true);
  }
  stats.records = ctx.records;
  stats.skipped = ctx.skipped;
  stats.bytes = progress.bytes;
  if (notes.length > 0) stats.notes = notes;
  return stats;
}

/** Feeds one file to the byte parser until it meets something unusual, then to csv-parse. */
class FileReader {
  private readonly file: TraceFile;
  private fast: FastParser | null;
  private csv: CsvPath | null;

  constructor(file: TraceFile, useFast: boolean) {
    this.file = file;
    this.fast = useFast ? new FastParser(file) : null;
    this.csv = useFast ? null : new CsvPath(file);
  }

  push(chunk: Uint8Array): void {
    if (this.fast === null) {
      this.csv!.push(chunk);
      return;
    }
    this.handOver(this.fast.push(chunk));
  }

  /** The sink's settle(): a promise while it is behind (readers await it before the next chunk), else null. */
  behind(): Promise<void> | null {
    return (this.file.ctx.sink as BatchSink).settle?.() ?? null;
  }

  end(): void {
    if (this.fast !== null) this.handOver(this.fast.end());
    this.csv?.end();
  }

  private handOver(rest: Uint8Array[] | null): void {
    if (rest === null) return;
    this.fast = null;
    this.csv = new CsvPath(this.file);
    for (const part of rest) this.csv.push(part);
  }
}

class Progress {
  bytes = 0;
  private lastBytes = 0;
  private lastTime = Date.now();
  constructor(
    private readonly cb: ReadOptions['onProgress'],
    private readonly totalBytes: number | null,
    private readonly ctx: ReadContext,
  ) {}

  add(n: number): void {
    this.bytes += n;
    if (this.cb !== undefined && this.bytes - this.lastBytes >= PROGRESS_BYTES) this.report(true);
    else if (this.cb !== undefined) this.report(false);
  }

  report(force: boolean): void {
    if (this.cb === undefined) return;
    const now = Date.now();
    if (!force && now - this.lastTime < PROGRESS_MS) return;
    this.lastTime = now;
    this.lastBytes = this.bytes;
    this.cb({ bytes: this.bytes, totalBytes: this.totalBytes, records: this.ctx.records });
  }
}

/** Sum of regular-file sizes, or null when an input is standard input, a pipe or unreadable. */
export async function totalSize(list: readonly TraceInput[]): Promise<number | null> {
  let total = 0;
  for (const { name } of list) {
    if (name === '-') return null;
    try {
      const s = await statPath(name);
      if (!s.isFile()) return null;
      total += s.size;
    } catch {
      return null; // reported when the file is opened
    }
  }
  return total;
}

/** An OS or gzip error as a TraceError at line 0 of the file. */
export function ioError(file: string, err: unknown): TraceError {
  if (err instanceof TraceError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const msg = e instanceof Error ? e.message : String(err);
  // "ENOENT: no such file or directory, open 'x.csv'": the file is named by the error already.
  const reason = code.startsWith('Z_') || code.startsWith('ERR_') ? `gzip: ${msg}` : msg.replace(/, \w+ '.*'$/, '');
  return new TraceError({ file, line: 0, column: 0, text: file }, reason, 'KPROMO_TRACE_IO');
}

/** GzipTail.trailingZeros() of an input that ended, its error as the input's TraceError. */
export function gzipTrailingZeros(name: string, tail: GzipTail): number {
  try {
    return tail.trailingZeros();
  } catch (err) {
    throw ioError(name, err);
  }
}

/** Reads one input to its end; true when stopped by shouldStop. A `.gz` file's trailing zero bytes are noted in `notes`. */
async function readOne(name: string, reader: FileReader, progress: Progress, opts: ReadOptions, offset: number, notes: string[]): Promise<boolean> {
  const stop = opts.shouldStop ?? (() => false);
  if (name === '-') return readStream(name, checkedStdin(opts.stdin ?? process.stdin), reader, progress, stop, null);
  let fh: FdFile;
  try {
    fh = await FdFile.open(name);
  } catch (err) {
    throw ioError(name, err);
  }
  if (name.endsWith('.gz')) {
    const gunzip = await createGunzip(); // before the stream: no error event unheard
    const raw = createReadStream('', { fd: fh.fd, highWaterMark: CHUNK_BYTES });
    const tail = new GzipTail(gunzip);
    raw.on('data', tail.see);
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    try {
      if (await readStream(name, gunzip, reader, progress, stop, raw)) return true;
      const zeros = gzipTrailingZeros(name, tail);
      if (zeros > 0) notes.push(gzipZerosNote(name, zeros));
      return false;
    } finally {
      raw.destroy(); // closes fh; pipe() alone leaves the source open when gunzip stops early
    }
  }
  try {
    return await readFile(name, fh, reader, progress, stop, offset);
  } finally {
    await fh.close();
  }
}

/** A regular file (or a named pipe), read ahead (read-ahead.ts); a regular file from `offset` (its first lines read in blocks: trace/blocks.ts). */
async function readFile(name: string, fh: FdFile, reader: FileReader, progress: Progress, stop: () => boolean, offset: number): Promise<boolean> {
  for await (const chunk of readAhead(fh, (err) => ioError(name, err), offset, CHUNK_BYTES, fh.regularSize())) {
    if (stop()) return true;
    reader.push(chunk);
    const behind = reader.behind();
    if (behind !== null) await behind;
    progress.add(chunk.length);
  }
  return false;
}

/** Standard input or a gunzip stream; `counted` is the compressed stream whose bytes are the progress. */
async function readStream(
  name: string,
  stream: AsyncIterable<Buffer | string>,
  reader: FileReader,
  progress: Progress,
  stop: () => boolean,
  counted: NodeJS.ReadableStream | null,
): Promise<boolean> {
  let compressed = 0;
  counted?.on('data', (c: Buffer) => (compressed += c.length));
  const it = stream[Symbol.asyncIterator]();
  for (;;) {
    if (stop()) {
      await it.return?.();
      return true;
    }
    let r: IteratorResult<Buffer | string>;
    try {
      r = await it.next();
    } catch (err) {
      throw ioError(name, err);
    }
    if (r.done === true) return false;
    if (stop()) {
      // Ctrl-C while waiting for this chunk: the counters are those of the records before it.
      await it.return?.();
      return true;
    }
    const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    try {
      reader.push(chunk);
      const behind = reader.behind();
      if (behind !== null) await behind;
    } catch (err) {
      await it.return?.();
      throw err;
    }
    if (counted === null) progress.add(chunk.length);
    else {
      progress.add(compressed);
      compressed = 0;
    }
  }
}
