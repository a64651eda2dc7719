/**
 * Trace input of every accepted kind: per input (file, gzip file or standard input) the
 * first bytes are sniffed (looksLikePerf) unless `--input` forces a kind, and the input goes to the
 * CSV reader (readTraces) or the perf reader (PerfReader). Several inputs replay as one stream in order.
 *
 * gzip is recognised by its magic bytes (1f 8b), on any input, stdin included, whatever its name. A
 * regular file is sniffed with pread and then read by the chosen reader; anything else (a FIFO, a
 * character device, standard input) and a gzip file not named `.gz` is opened once and streamed:
 * the chunks read to decide are handed on to the reader (a FIFO cannot be read twice).
 */
import { createReadStream } from 'node:fs';
import { FdFile, statPath } from './fd-file.js';
import { GzipTail, createGunzip, gzipZerosNote } from './gunzip.js';
import { TraceError, UsageError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import type { AccessSink, BatchSink } from '../engine/types.js';
import { shapeToString } from './perf-fields.js';
import { PERF_SKIP_REASONS, type NidMode, type PerfSkipReason } from './perf-map.js';
import { PerfReader, looksLikePerf, type PerfReadStats } from './perf-read.js';
import { readAhead } from './read-ahead.js';
import { checkedStdin } from './stdin-size.js';
import type { StreamBlocksResult } from './stream-blocks.js';
import { gzipTrailingZeros, ioError, readTraces, totalSize, type ReadProgress, type ReadStats, type ResumeAt, type TraceInput } from './read.js';

/** `--input`: sniff each input, or force one reader. */
export type InputKind = 'auto' | 'csv' | 'perf';

/** How inputs are read: the validated `--input`, perf mapping and `--skip-bad` options (plain data). */
export interface InputSettings {
  readonly kind: InputKind;
  /** `--perf-fields` (the `perf script -F` list); null: detect the shape from the first lines. */
  readonly perfFields: string | null;
  readonly nid: NidMode;
  /** `--page-size` in bytes: pfn = phys_addr / pageSize. */
  readonly pageSize: number;
  /** `--event`: perf event names to keep; empty: perf-read's memory events. */
  readonly events: readonly string[];
  /** `--skip-bad`: count and skip malformed lines instead of stopping at the first. */
  readonly skipBad: boolean;
}

/** What an omitted option means. */
export const DEFAULT_INPUT_SETTINGS: InputSettings = { kind: 'auto', perfFields: null, nid: 'cpu', pageSize: 4096, events: [], skipBad: false };

/** How to read (readTraces' options plus the perf mapping's context). */
export interface InputOptions {
  readonly input?: InputSettings;
  /** Needed by perf input with `--nid cpu` (its nodes' cpus). */
  readonly topology?: Topology;
  /** HZ of the jiffies mapping of perf times. */
  readonly hz?: number;
  /** Standard input; default process.stdin. The parse thread reads a pipe through fd-stream.ts's PipeChunks. */
  readonly stdin?: NodeJS.ReadableStream | AsyncIterable<Buffer>;
  readonly onProgress?: (p: ReadProgress) => void;
  /** Checked between chunks (Ctrl-C); when true, reading stops and the stats say stopped. */
  readonly shouldStop?: () => boolean;
  /** Called for every bad line skipped; giving it implies skipping (as readTraces' onBad). */
  readonly onBad?: (err: TraceError) => void;
  readonly parser?: 'auto' | 'fast' | 'csv-parse';
  /** Threaded reads: run on this thread while the parse thread starts (run/prime.ts). */
  readonly whileStarting?: () => void;
  /**
   * The parse thread of a threaded read of standard input (trace/stream-blocks.ts): reads one CSV stream in blocks
   * with the engine's thread, up to a line the general reader must read on from (then it does), or to its end.
   */
  readonly streamBlocks?: (source: AsyncIterable<Buffer>) => Promise<StreamBlocksResult>;
  /**
   * Standard input may lend its reads (fd-stream.ts PipeChunks): called with true before a reader that is done with
   * each chunk before it asks for the next takes the stream as read (the block reader, the perf reader; not csv-parse's
   * or the general CSV reader's streams, which hold chunks), and with false after it.
   */
  readonly lend?: (on: boolean) => void;
  /**
   * The perf counts of perf files read before these inputs, by another read (several files read in blocks one after
   * the other, threaded.ts): this read's perf stats go on from them, as one read of all the files would count.
   */
  readonly perfPrior?: PerfInputStats | null;
}

/** A bad line skipped, for stderr. */
export interface BadLineNote {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  readonly text: string;
  /** Set when `text` is only the start of a line over the cap (TraceError.longerThan). */
  readonly longerThan?: number;
}

/** What the perf inputs of a read did, summed over files. */
export interface PerfInputStats {
  files: number;
  samples: number;
  records: number;
  nonSample: number;
  /** Samples and lines that gave no record, by reason (bad_line included). */
  skipped: Record<PerfSkipReason, number>;
  /** Sample lines per event name. */
  events: Record<string, number>;
  /** Field lists used (given or detected), distinct, as `-F` lists. */
  shapes: string[];
  /** What detection assumed and warnings about samples skipped, each with how to change it (for stderr). */
  notes: string[];
}

/** What readInputs read. `skipped` counts bad lines of both kinds. */
export interface InputStats extends ReadStats {
  /** The reader each opened input went to, in order. */
  kinds: ('csv' | 'perf')[];
  /** Bad lines skipped, by reason. */
  badReasons: Record<string, number>;
  /** The first FIRST_BAD_SHOWN bad lines skipped. */
  firstBad: BadLineNote[];
  /** Null when no input was perf. */
  perf: PerfInputStats | null;
}

/** How many skipped bad lines are kept for stderr. */
export const FIRST_BAD_SHOWN = 5;

/** What a read counts of the bad lines it skipped. */
export type BadLineCounts = Pick<InputStats, 'skipped' | 'badReasons' | 'firstBad'>;

/** The onBad that counts skipped bad lines into `stats` (then calls `userBad`); undefined when bad lines are errors. */
export function badCounter(stats: BadLineCounts, settings: InputSettings, userBad?: (err: TraceError) => void): ((err: TraceError) => void) | undefined {
  if (!settings.skipBad && userBad === undefined) return undefined;
  return (err: TraceError) => {
    stats.skipped++;
    stats.badReasons[err.reason] = (stats.badReasons[err.reason] ?? 0) + 1;
    if (stats.firstBad.length < FIRST_BAD_SHOWN) {
      const note = { file: err.file, line: err.line, reason: err.reason, text: err.text };
      stats.firstBad.push(err.longerThan === undefined ? note : { ...note, longerThan: err.longerThan });
    }
    userBad?.(err);
  };
}

/** Bytes looked at to tell perf from CSV: enough for a `perf script --header` block. */
export const SNIFF_BYTES = 64 << 10;
const CHUNK_BYTES = 1 << 20;
const PROGRESS_MS = 250;

/** Reads `inputs` in order as one stream into `sink`, each with the reader its kind needs. */
export async function readInputs(inputs: readonly TraceInput[], sink: AccessSink, opts: InputOptions = {}): Promise<InputStats> {
  const list = inputs.length === 0 ? [{ name: '-' }] : inputs;
  const settings = opts.input ?? DEFAULT_INPUT_SETTINGS;
  const perf = opts.perfPrior != null ? clonePerfStats(opts.perfPrior) : null;
  const stats: InputStats = { records: 0, bytes: 0, files: 0, skipped: 0, stopped: false, kinds: [], badReasons: {}, firstBad: [], perf };
  const onBad = badCounter(stats, settings, opts.onBad);
  const progress = new Progress(opts.onProgress, await totalSize(list));
  const stop = opts.shouldStop ?? (() => false);
  // process.stdin is touched only for `-`: creating its stream costs about 3 ms of start-up.
  // A regular file on this thread's fd 0 that shrinks while it is read is an error (stdin-size.ts).
  const stdin = (): AsyncIterable<Buffer | string> => checkedStdin(opts.stdin ?? process.stdin);
  for (const input of list) {
    stats.files++;
    // A file whose first lines were read in blocks (trace/parallel.ts): CSV, or perf text read on with the perf counts
    // of the lines before.
    const resumed = input.start;
    if (resumed?.perf !== undefined) stats.perf = clonePerfStats(resumed.perf.prior);
    const src = resumed !== undefined ? { kind: resumed.perf !== undefined ? ('perf' as const) : ('csv' as const), stdin: null } : await openInput(input.name, settings.kind, stdin, stop);
    if (src === null) {
      stats.stopped = true;
      break;
    }
    stats.kinds.push(src.kind);
    let stopped: boolean;
    // Lent reads only as read (no gunzip in between, which holds them while it works), after the sniffing above.
    const lend = src.stdin !== null && src.direct === true ? opts.lend : undefined;
    try {
      if (src.kind === 'csv' && src.stdin !== null && opts.streamBlocks !== undefined && list.length === 1 && opts.parser !== 'csv-parse') {
        // Standard input in blocks, then the general reader from the first line the blocks did not take.
        lend?.(true);
        let b: StreamBlocksResult;
        try {
          b = await opts.streamBlocks(src.stdin);
        } finally {
          lend?.(false);
        }
        progress.done(b.bytes, 0);
        stopped = b.stopped;
        if (!stopped && b.resume !== null) {
          const { line, started, header, rest } = b.resume;
          const start = { offset: 0, line, started, ...(header !== undefined ? { header } : {}) };
          stopped = await readCsv({ name: input.name, start }, rest, sink, opts, onBad, progress, stats);
        }
      } else if (src.kind === 'csv') stopped = await readCsv(input, src.stdin, sink, opts, onBad, progress, stats);
      else {
        lend?.(true);
        try {
          stopped = await readPerfInput(input, src.stdin, sink, opts, settings, onBad, progress, stats);
        } finally {
          lend?.(false);
        }
      }
    } finally {
      src.close?.();
    }
    if (stopped) {
      stats.stopped = true;
      break;
    }
    const zeros = src.trailingZeros?.() ?? 0;
    if (zeros > 0) (stats.notes ??= []).push(gzipZerosNote(input.name, zeros));
  }
  stats.bytes = progress.bytes;
  stats.records = progress.records;
  return withPerfWarnings(stats, settings);
}

/** The read's stats with the warnings about perf samples skipped, over all its perf files (perfSkipWarnings()), added. */
export function withPerfWarnings(stats: InputStats, settings: InputSettings = DEFAULT_INPUT_SETTINGS): InputStats {
  if (stats.perf !== null) stats.perf.notes.push(...perfSkipWarnings(stats.perf, settings));
  return stats;
}

/**
 * stderr lines about the input (each `kpromo: ` prefixed), or '': what perf detection assumed and why samples were
 * skipped; and, when a read that ran to its end gave no access record at all, that it did (unless the perf lines above
 * already say why): zero counters then come from the input, not from the model. `empty` says what that means for the
 * command's output (replay, compare, sweep: its counters; convert and page say their own).
 */
export function inputNotes(read: InputStats, perfTyped: readonly string[] = [], empty = 'the counters are those of an empty trace'): string {
  const notes = [...(read.notes ?? []), ...(read.perf?.notes ?? [])];
  // Perf options typed with --input auto whose inputs all turned out CSV: said, not silently dropped (with --input csv
  // they are refused before the read; the kind of an auto input is known only once its first lines are read).
  if (perfTyped.length > 0 && read.perf === null && read.kinds.length > 0) {
    const list = perfTyped.length === 1 ? perfTyped[0]! : `${perfTyped.slice(0, -1).join(', ')} and ${perfTyped.at(-1)!}`;
    const one = perfTyped.length === 1;
    notes.push(`warning: ${list} appl${one ? 'ies' : 'y'} to perf samples, and ${read.kinds.length === 1 ? 'the input was' : 'every input was'} CSV: ${one ? 'it' : 'they'} changed nothing`);
  }
  if (read.records === 0 && !read.stopped && !(read.perf !== null && read.perf.samples > 0)) {
    const what = read.files === 1 ? 'the input' : `the ${read.files} inputs`;
    const bad = read.skipped > 0 ? `, ${read.skipped} bad line${read.skipped === 1 ? '' : 's'} skipped` : '';
    notes.push(`${what} held no access record (${read.bytes} bytes read${bad}): ${empty}`);
  }
  return notes.map((n) => `kpromo: ${n}\n`).join('');
}

/** Share of samples that must give no record for perfSkipWarnings() to speak. */
export const SKIPPED_WARN_SHARE = 0.99;

/**
 * Warnings when (nearly) every perf sample was skipped (>= 99 %): why, and how to fix it, one line
 * per reason that accounts for at least 1 % of the samples.
 */
export function perfSkipWarnings(p: PerfInputStats, settings: InputSettings = DEFAULT_INPUT_SETTINGS): string[] {
  if (p.samples === 0 || p.records > p.samples * (1 - SKIPPED_WARN_SHARE)) return [];
  const pct = (n: number): string => `${((100 * n) / p.samples).toFixed(n === p.samples ? 0 : 1)} %`;
  const out: string[] = [];
  const head = `${p.samples - p.records} of ${p.samples} perf samples (${pct(p.samples - p.records)}) gave no access record`;
  const reasons = (['other_event', 'phys_addr_missing', 'phys_addr_zero', 'cpu_not_in_topology'] as const)
    .filter((r) => p.skipped[r] > 0 && p.skipped[r] >= p.samples / 100)
    .sort((a, b) => p.skipped[b] - p.skipped[a]);
  const fields = p.shapes[0]?.replace(/\?/g, '') ?? 'comm,pid,tid,cpu,time,event,addr';
  for (const r of reasons) {
    const n = `${p.skipped[r]} (${pct(p.skipped[r])})`;
    switch (r) {
      case 'other_event': {
        const seen = Object.entries(p.events).sort((a, b) => b[1] - a[1]);
        const names = seen.map(([e, k]) => `${e || '(none)'} ${k}`).join(', ');
        const kept = settings.events.length > 0 ? `--event ${settings.events.join(',')}` : 'the memory-access events (ibs_op, mem-loads, mem-stores)';
        const suggest = seen.filter(([e]) => e !== '' && !settings.events.includes(e)).map(([e]) => e);
        out.push(`${head}: ${n} are samples of events kpromo does not keep (events seen: ${names}); it keeps ${kept}. To keep them: --event ${suggest.join(',') || 'NAME'}`);
        break;
      }
      case 'phys_addr_missing':
        out.push(`${head}: ${n} have no phys_addr (fields ${fields}). Record physical addresses (perf record -d --phys-data ...) and print them: perf script -F comm,pid,tid,cpu,time,event,addr,phys_addr`);
        break;
      case 'phys_addr_zero':
        out.push(`${head}: ${n} have phys_addr 0 (no physical address: perf record without --phys-data, without the privilege to read it (root or CAP_PERFMON), or samples of pages not present, as first-touch faults). Record with perf record -d --phys-data as root`);
        break;
      case 'cpu_not_in_topology':
        out.push(`${head}: ${n} are from CPUs in no node of the topology (--nid cpu). Use this machine's topology (kpromo topo --from-sysfs /sys/devices/system/node --json > box.json; --topology box.json), or --nid none / --nid N`);
        break;
    }
  }
  if (out.length === 0) out.push(`${head}; see the samples skipped by reason`);
  return out;
}

/** An input whose kind is known; `stdin` is the input's chunks, those read to decide first (null: the reader opens the file by name). */
interface OpenInput {
  readonly kind: 'csv' | 'perf';
  readonly stdin: AsyncIterable<Buffer> | null;
  /** Closes what was opened here (a stream not read to its end). */
  readonly close?: () => void;
  /** `stdin` gives the source's chunks as read (no gunzip in between, which holds them while it works). */
  readonly direct?: boolean;
  /** A gzip stream read to its end: the zero bytes after its last member that were ignored. */
  readonly trailingZeros?: () => number;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** True when `head` starts with the gzip magic bytes. */
export function isGzipMagic(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/** Decides an input's kind, opening it at most once; null when stopped (Ctrl-C) while sniffing a stream. */
async function openInput(name: string, kind: InputKind, stdin: () => AsyncIterable<Buffer | string>, stop: () => boolean): Promise<OpenInput | null> {
  if (name === '-') return streamInput(name, kind, stdin(), stop, null);
  let regular = false;
  try {
    regular = (await statPath(name)).isFile();
  } catch {
    return { kind: kind !== 'auto' ? kind : 'csv', stdin: null }; // the reader reports the error
  }
  if (regular) {
    const gz = await isGzipFile(name);
    // `.gz` files are gunzipped by both readers; a gzip file under another name is streamed here.
    if (!gz || name.endsWith('.gz')) return { kind: kind !== 'auto' ? kind : (await sniffFile(name, gz)) ? 'perf' : 'csv', stdin: null };
  }
  const raw = createReadStream(name, { highWaterMark: CHUNK_BYTES });
  return streamInput(name, kind, raw as AsyncIterable<Buffer>, stop, raw);
}

/** True when a regular file starts with the gzip magic bytes. */
async function isGzipFile(name: string): Promise<boolean> {
  try {
    const fh = await FdFile.open(name, true);
    try {
      const b = Buffer.alloc(2);
      const { bytesRead } = await fh.read(b, 0, 2, 0);
      return isGzipMagic(b.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/**
 * A stream read once: gunzipped when it starts with the gzip magic, then (for `--input auto`)
 * sniffed; the chunks read to decide are put back in front of the rest for the reader.
 */
async function streamInput(
  name: string,
  kind: InputKind,
  source: AsyncIterable<Buffer | string>,
  stop: () => boolean,
  raw: { destroy(): void } | null,
): Promise<OpenInput | null> {
  let it = source[Symbol.asyncIterator]();
  let head: Buffer[] = [];
  let size = 0;
  const next = async (): Promise<Buffer | null> => {
    let r: IteratorResult<Buffer | string>;
    try {
      r = await it.next();
    } catch (err) {
      throw ioError(name, err);
    }
    if (r.done === true) return null;
    return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  };
  // Enough bytes for the magic (a pipe may deliver one byte at a time).
  while (size < 2) {
    if (stop()) {
      await it.return?.();
      raw?.destroy();
      return null;
    }
    const c = await next();
    if (c === null) break;
    head.push(c);
    size += c.length;
  }
  let close = (): void => raw?.destroy();
  const first = Buffer.concat(head);
  const gzipped = isGzipMagic(first);
  let zeros = 0;
  if (gzipped) {
    const gunzip = await createGunzip();
    const { Readable } = await import('node:stream'); // loaded only for a stream (about 2 ms a start otherwise)
    const compressed = Readable.from(chain(name, head, it));
    const tail = new GzipTail(gunzip);
    compressed.on('data', tail.see);
    compressed.on('error', (err) => gunzip.destroy(err));
    compressed.pipe(gunzip);
    it = (async function* (): AsyncGenerator<Buffer> {
      yield* gunzip as AsyncIterable<Buffer>;
      zeros = gzipTrailingZeros(name, tail);
    })();
    head = [];
    size = 0;
    close = () => {
      compressed.destroy();
      gunzip.destroy();
      raw?.destroy();
    };
  }
  const direct = !gzipped;
  const trailingZeros = (): number => zeros;
  if (kind !== 'auto') return { kind, stdin: chain(name, head, it), close, direct, trailingZeros };
  // A pipe cannot seek: keep the chunks read to decide and replay them into the chosen reader.
  for (;;) {
    if (stop()) {
      await it.return?.();
      close();
      return null;
    }
    if (size >= SNIFF_BYTES || decided(Buffer.concat(head))) break;
    const c = await next();
    if (c === null) break;
    head.push(c);
    size += c.length;
  }
  return { kind: looksLikePerf(Buffer.concat(head)) ? 'perf' : 'csv', stdin: chain(name, head, it), close, direct, trailingZeros };
}

/** True once `head` holds a whole line that decides: a data line, or a perf header line. */
function decided(head: Buffer): boolean {
  if (looksLikePerf(head)) return true;
  const text = head.toString('utf8');
  const lines = text.split('\n').slice(0, -1);
  return lines.some((l) => l.trim() !== '' && !l.startsWith('#'));
}

/**
 * The chunks of `head`, then the rest of `it`; a read or gzip error of `it` comes out as the input's TraceError
 * (`-: gzip: unexpected end of file`), whichever reader or thread consumes the chunks.
 */
async function* chain(name: string, head: readonly Buffer[], it: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  yield* head;
  try {
    for (;;) {
      let r: IteratorResult<Buffer | string>;
      try {
        r = await it.next();
      } catch (err) {
        throw ioError(name, err);
      }
      if (r.done === true) return;
      yield typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** True when a regular file's first bytes (decompressed when `gz`) look like perf; false when unreadable (the reader reports it). */
async function sniffFile(name: string, gz: boolean): Promise<boolean> {
  try {
    if (gz) {
      const gunzip = await createGunzip({}); // zlib's own chunks: only the first lines are read; before the stream: no error event unheard
      const raw = createReadStream(name, { highWaterMark: SNIFF_BYTES });
      raw.on('error', (err) => gunzip.destroy(err));
      raw.pipe(gunzip);
      const head: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of gunzip as AsyncIterable<Buffer>) {
          head.push(chunk);
          size += chunk.length;
          if (size >= SNIFF_BYTES || decided(Buffer.concat(head))) break;
        }
      } finally {
        raw.destroy();
        gunzip.destroy();
      }
      return looksLikePerf(Buffer.concat(head));
    }
    const fh = await FdFile.open(name, true);
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      return looksLikePerf(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/** One CSV input through readTraces; true when stopped. */
async function readCsv(
  input: TraceInput,
  stdin: AsyncIterable<Buffer> | null,
  sink: AccessSink,
  opts: InputOptions,
  onBad: ((err: TraceError) => void) | undefined,
  progress: Progress,
  stats: InputStats,
): Promise<boolean> {
  const cb = opts.onProgress;
  const from = stdin !== null ? (await import('node:stream')).Readable.from(stdin) : undefined;
  const { name } = input;
  const start = input.start !== undefined ? { start: input.start } : {};
  const file: TraceInput = from !== undefined ? { name, stream: from, ...start } : { name, ...start };
  // Standard input comes as `from` (the stream openInput() opened): readTraces reads no stdin of its own here.
  const r = await readTraces([file], sink, {
    ...(cb !== undefined ? { onProgress: (p: ReadProgress) => progress.show(p.bytes, p.records, true) } : {}),
    ...(opts.shouldStop !== undefined ? { shouldStop: opts.shouldStop } : {}),
    ...(onBad !== undefined ? { onBad } : {}),
    ...(opts.parser !== undefined ? { parser: opts.parser } : {}),
  });
  progress.done(r.bytes, r.records);
  if (r.notes !== undefined && r.notes.length > 0) (stats.notes ??= []).push(...r.notes);
  return r.stopped;
}

/**
 * The PerfReader of one perf input, as readInputs reads it; `resume`: a read of a perf file that goes on from a line
 * (trace/parallel.ts), with the lines before it counted and the shape they were read with.
 */
export function perfReaderFor(
  name: string,
  sink: AccessSink,
  opts: InputOptions,
  settings: InputSettings,
  onBad: ((err: TraceError) => void) | undefined,
  resume?: ResumeAt,
): PerfReader {
  const topology = opts.topology;
  if (settings.nid === 'cpu' && topology !== undefined && topology.nodes.every((n) => n.cpus.length === 0)) {
    throw new UsageError(`--nid cpu: topology ${topology.name} lists no cpus, so no perf sample has a node; use --nid none or --nid N`);
  }
  const fields = resume?.perf?.shape ?? settings.perfFields;
  return new PerfReader(sink, {
    file: name,
    ...(topology !== undefined ? { topology } : {}),
    ...(opts.hz !== undefined ? { hz: opts.hz } : {}),
    pageSize: settings.pageSize,
    nid: settings.nid,
    ...(fields !== null ? { fields } : {}),
    ...(settings.events.length > 0 ? { events: settings.events } : {}),
    skipBad: onBad !== undefined,
    ...(onBad !== undefined ? { onBad } : {}),
    ...(resume !== undefined ? { startLine: resume.line } : {}),
  });
}

/** One perf input through PerfReader; true when stopped. */
async function readPerfInput(
  input: TraceInput,
  stdin: AsyncIterable<Buffer> | null,
  sink: AccessSink,
  opts: InputOptions,
  settings: InputSettings,
  onBad: ((err: TraceError) => void) | undefined,
  progress: Progress,
  stats: InputStats,
): Promise<boolean> {
  const { name, start: resume } = input;
  const reader = perfReaderFor(name, sink, opts, settings, onBad, resume);
  const stop = opts.shouldStop ?? (() => false);
  let bytes = 0;
  const pump = async (chunks: AsyncIterable<Buffer>, counted: { n: number } | null): Promise<boolean> => {
    const it = chunks[Symbol.asyncIterator]();
    try {
      for (;;) {
        if (stop()) return true;
        let r: IteratorResult<Buffer>;
        try {
          r = await it.next();
        } catch (err) {
          throw ioError(name, err);
        }
        if (r.done === true) return false;
        if (stop()) return true; // Ctrl-C while waiting: the counters are those of the records before this chunk
        reader.push(r.value);
        const behind = (sink as BatchSink).settle?.() ?? null; // a migrate pass part way (run/replay.ts)
        if (behind !== null) await behind;
        if (counted === null) bytes += r.value.length;
        else {
          bytes += counted.n;
          counted.n = 0;
        }
        progress.show(bytes, reader.recordCount, false);
      }
    } finally {
      await it.return?.();
    }
  };
  let stopped: boolean;
  if (stdin !== null) stopped = await pump(stdin, null);
  else if (name.endsWith('.gz')) {
    const gunzip = await createGunzip(); // before the stream: no error event unheard
    const raw = createReadStream(name, { highWaterMark: CHUNK_BYTES });
    const compressed = { n: 0 };
    const tail = new GzipTail(gunzip);
    raw.on('data', (c: Buffer | string) => {
      compressed.n += c.length;
      tail.see(c);
    });
    raw.on('error', (err) => gunzip.destroy(err));
    raw.pipe(gunzip);
    try {
      stopped = await pump(gunzip, compressed);
      const zeros = stopped ? 0 : gzipTrailingZeros(name, tail);
      if (zeros > 0) (stats.notes ??= []).push(gzipZerosNote(name, zeros));
    } finally {
      raw.destroy(); // closes the file; pipe() alone leaves the source open when gunzip stops early
    }
  } else {
    let fh: FdFile;
    try {
      fh = await FdFile.open(name);
    } catch (err) {
      throw ioError(name, err);
    }
    try {
      stopped = await pump(readAhead(fh, (err) => ioError(name, err), resume?.offset ?? 0, undefined, fh.regularSize()), null);
    } finally {
      await fh.close();
    }
  }
  if (stopped) {
    progress.done(bytes, reader.recordCount);
    return true;
  }
  const st = reader.end();
  progress.done(bytes, st.records);
  addPerf(stats, st);
  return false;
}

/** Perf stats of no file. */
export function emptyPerfStats(): PerfInputStats {
  return {
    files: 0, samples: 0, records: 0, nonSample: 0,
    skipped: Object.fromEntries(PERF_SKIP_REASONS.map((r) => [r, 0])) as Record<PerfSkipReason, number>,
    events: {}, shapes: [], notes: [],
  };
}

/** A deep copy of perf stats (a resumed read adds to them). */
export function clonePerfStats(p: PerfInputStats): PerfInputStats {
  return { ...p, skipped: { ...p.skipped }, events: { ...p.events }, shapes: p.shapes.slice(), notes: p.notes.slice() };
}

/** Adds one perf file's statistics to the sums. */
export function addPerf(stats: { perf: PerfInputStats | null }, st: PerfReadStats): void {
  const p = (stats.perf ??= emptyPerfStats());
  p.files++;
  p.samples += st.samples;
  p.records += st.records;
  p.nonSample += st.nonSample;
  for (const r of PERF_SKIP_REASONS) p.skipped[r] += st.skipped[r];
  for (const [ev, n] of st.events) p.events[ev] = (p.events[ev] ?? 0) + n;
  p.notes.push(...st.notes);
  if (st.shape !== null) {
    const s = shapeToString(st.shape);
    if (!p.shapes.includes(s)) p.shapes.push(s);
  }
}

/** Bytes and records over all inputs, reported through one callback at most every 250 ms. */
class Progress {
  /** Totals of the inputs finished so far. */
  bytes = 0;
  records = 0;
  private last = 0;
  constructor(
    private readonly cb: ((p: ReadProgress) => void) | undefined,
    private readonly totalBytes: number | null,
  ) {}

  /** Reports the current input's bytes and records on top of the finished inputs'. */
  show(bytes: number, records: number, force: boolean): void {
    if (this.cb === undefined) return;
    const now = Date.now();
    if (!force && now - this.last < PROGRESS_MS) return;
    this.last = now;
    this.cb({ bytes: this.bytes + bytes, totalBytes: this.totalBytes, records: this.records + records });
  }

  /** Ends an input. */
  done(bytes: number, records: number): void {
    this.bytes += bytes;
    this.records += records;
    if (this.cb !== undefined) this.cb({ bytes: this.bytes, totalBytes: this.totalBytes, records: this.records });
  }
}
