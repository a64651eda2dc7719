/**
 * A regular `perf script` text file parsed in blocks by two threads, as CSV files are (trace/parallel.ts). The general
 * perf reader (perf-read.ts) reads the file's head on the engine's thread, up to the first line end after which its
 * byte-level fast path (perf-fast.ts) takes lines: the shape is decided (detected, or `--perf-fields`) and an event
 * accepted. The rest of the file is cut into blocks that both threads parse: the fast path reads the sample lines of
 * the events accepted in the head, and the lines that give no record and no error are counted as the general reader
 * counts them (`#`, empty and `PERF_RECORD_*` lines, samples of events the head saw and does not keep). At the first
 * other line (an event the head did not see, a malformed line, a line the fast path leaves to the general parser) the
 * block stops, and from that line on the general reader reads the file, with the shape, line count and perf counts of
 * the lines before (read.ts ResumeAt). So records, stats, errors and line numbers are those of one general read.
 */
import { readSync } from 'node:fs';
import type { AccessSink } from '../engine/types.js';
import { wholeLinesEnd, type BlockResult, type BlockScan } from './blocks.js';
import { Columns } from './columns.js';
import { badCounter, perfReaderFor, type BadLineCounts, type InputOptions, type InputSettings } from './input.js';
import { fastLines, fastMissing, fastNoCpu, fastRecords, fastSamples, fastZero, scanPerf, type FastShape } from './perf-fast.js';
import { perfWasm } from './perf-wasm.js';
import type { PerfShape } from './perf-fields.js';
import { compileShape, newPerfSample, parsePerfHead, PERF_NON_SAMPLE, PERF_SAMPLE } from './perf-line.js';
import type { PerfReadStats } from './perf-read.js';
import { MAX_BLOCK_EVENTS } from './ring.js';
import { overlongLineAt } from './tracefile.js';

/** The head is read in chunks of this many bytes (cut after their last line end) ... */
const HEAD_CHUNK = 64 << 10;
/** ... until the fast path takes lines, or this many bytes are read: then the file is read as before (no blocks). */
export const HEAD_MAX_BYTES = (8 << 20) + HEAD_CHUNK;
const NL = 10;
const CR = 13;
const TAB = 9;
const HASH = 35;

/**
 * What the perf block parsers take: the fast path's shape, the line shape (for lines it leaves), the accepted events
 * (names as bytes) whose samples the fast path reads, and the events the head saw and does not keep.
 */
export interface PerfBlockShape {
  readonly fs: FastShape;
  readonly shape: PerfShape;
  readonly events: readonly Uint8Array[];
  readonly rejected: readonly Uint8Array[];
}

/** What otherLine() found: a line with no record that the block takes (a rejected event's index, or this) ... */
const NON_SAMPLE = -2;
/** ... or a line left to the general reader. */
const STOP = -1;

/**
 * The block parser of perf text: the lines of buf[0, n) while the fast path takes them as samples of one of
 * `shape.events` (switching between them), or they give no record and no error in the general reader: `#` and empty
 * lines, `PERF_RECORD_*` lines, and samples of the events the head saw and does not keep (read by the general reader's
 * own head parser). BlockResult.stop is the first line it did not take (relative to buf; a line over MAX_LINE_BYTES is
 * one), or the partial last line, or -1. The counts: samples per event, `shape.events` then `shape.rejected`.
 */
export function perfBlockScan(shape: PerfBlockShape): BlockScan {
  const { fs, events, rejected } = shape;
  const ls = compileShape(shape.shape);
  const s = newPerfSample();

  /** The line at `at` (not one the fast path takes) as the general reader would count it: see NON_SAMPLE, STOP. */
  const otherLine = (buf: Buffer, at: number, nl: number): number => {
    if (buf[at] === TAB) return STOP; // an error
    let e = nl;
    if (e > at && buf[e - 1] === CR) e--;
    if (e === at || buf[at] === HASH) return NON_SAMPLE;
    const st = parsePerfHead(buf, at, e, ls, s);
    if (st === PERF_NON_SAMPLE) return NON_SAMPLE;
    if (st !== PERF_SAMPLE) return STOP; // a bad line, or one of spaces: the general reader decides
    const len = s.eventEnd - s.eventStart;
    for (let r = 0; r < rejected.length; r++) {
      const name = rejected[r]!;
      if (name.length !== len) continue;
      let i = 0;
      while (i < len && buf[s.eventStart + i] === name[i]) i++;
      if (i === len) return r;
    }
    return STOP; // an accepted event the fast path does not take, or an event the head did not see
  };

  const scan = (buf: Buffer, n: number, _first: boolean, sink: AccessSink): BlockResult => {
    const whole = wholeLinesEnd(buf, n);
    const long = overlongLineAt(buf, 0, whole);
    const last = long < 0 ? whole : long; // the block stops at a line over the cap: the general reader refuses it
    const samples = new Array<number>(events.length + rejected.length).fill(0);
    const perf = { nonSample: 0, zero: 0, missing: 0, noCpu: 0, other: 0, samples };
    let records = 0;
    let lines = 0;
    let at = 0;
    let e = 0;
    let failed = 0; // accepted events known not to take the line at `at` (event e, when it stopped there, is one)
    while (at < last) {
      at = scanPerf(buf, at, last, fs, events[e]!, sink);
      if (fastLines > 0) {
        lines += fastLines;
        records += fastRecords;
        samples[e] += fastSamples;
        perf.zero += fastZero;
        perf.missing += fastMissing;
        perf.noCpu += fastNoCpu;
        failed = 1;
      } else failed++;
      if (at >= last) break;
      if (failed < events.length) {
        e = e + 1 === events.length ? 0 : e + 1; // another accepted event's sample?
        continue;
      }
      const nl = buf.indexOf(NL, at);
      const k = otherLine(buf, at, nl);
      if (k === STOP) return { records, lines, header: false, stop: at, perf };
      if (k === NON_SAMPLE) perf.nonSample++;
      else {
        samples[events.length + k]++;
        perf.other++;
      }
      lines++;
      at = nl + 1;
      failed = 0;
    }
    return { records, lines, header: false, stop: last < n ? last : -1, perf };
  };
  // Blocks are read into the WebAssembly parser's memory (perf-wasm.ts), where it reads them with no copy.
  return Object.assign(scan, { input: (n: number): Buffer | null => perfWasm()?.input(n) ?? null });
}

/** The head of a perf file, read by the general reader on this thread. */
export interface PerfHead {
  /** Its records, not applied yet. */
  readonly records: Columns;
  /** Where the blocks start: the line after the head. */
  readonly end: number;
  /** The reader's stats for the head (lines, samples, events, shape, notes). */
  readonly stats: PerfReadStats;
  /** Bad lines it skipped (`--skip-bad`). */
  readonly bad: BadLineCounts;
  /** What the block parsers take from `end` on. */
  readonly shape: PerfBlockShape;
}

/**
 * Reads the head of the open perf file `fd` (`size` bytes) with the general reader, as readInputs would, into
 * `records`; null when the fast path takes no line within HEAD_MAX_BYTES or before the file's end, or has none for
 * the shape (the file is then read as before, on the parse thread). Throws the general reader's errors (a bad line
 * without `--skip-bad`), with the records before it in `records`.
 */
export function readPerfHead(fd: number, size: number, name: string, opts: InputOptions, settings: InputSettings, records: Columns): PerfHead | null {
  const bad: BadLineCounts = { skipped: 0, badReasons: {}, firstBad: [] };
  const reader = perfReaderFor(name, records, opts, settings, badCounter(bad, settings));
  const buf = Buffer.allocUnsafe(HEAD_CHUNK);
  let pos = 0;
  while (pos < size && pos < HEAD_MAX_BYTES) {
    const want = Math.min(HEAD_CHUNK, size - pos);
    let n = 0;
    while (n < want) {
      const k = readSync(fd, buf, n, want - n, pos + n);
      if (k === 0) break;
      n += k;
    }
    const nl = buf.lastIndexOf(NL, n - 1);
    // The file's end (a last line without LF), or a line longer than a chunk: the general reader reads it all.
    if (n < want || nl < 0 || pos + nl + 1 >= size) return null;
    reader.push(buf.subarray(0, nl + 1));
    pos += nl + 1;
    if (reader.noFastPath()) return null; // no block parser for these lines: read on as before, at once
    const fast = reader.fastState();
    if (fast !== null) {
      const names = (accepted: boolean) => fast.events.filter((e) => e.accepted === accepted).slice(0, MAX_BLOCK_EVENTS).map((e) => Uint8Array.from(e.bytes));
      const shape = { fs: fast.fs, shape: fast.shape, events: names(true), rejected: names(false) };
      return { records, end: pos, stats: reader.end(), bad, shape };
    }
  }
  return null;
}
