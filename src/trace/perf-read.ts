/**
 * Streams `perf script` text into an AccessSink: split chunks into lines, detect or take the field
 * list, parse each sample line, map it to `record_access(pfn, nid, hwhints, jiffies)`.
 *
 * Lines that are not samples and are skipped (counted in nonSample): blank lines, `#` lines
 * (`perf script --header`), and `PERF_RECORD_*` lines (`--show-task-events` & co.). A line starting
 * with a tab is a callchain frame (perf prints frames as `\t<ip> <sym> (<dso>)` when the samples
 * have callchains and ip is printed); with callchains perf moves phys_addr below the frames, so such
 * lines are refused: run `perf script` with `-G` (`--hide-call-graph`).
 */
import { StringDecoder } from 'node:string_decoder';
import { TraceError, UsageError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import type { AccessSink } from '../engine/types.js';
import { parsePerfFields, shapeToString } from './perf-fields.js';
import type { PerfField, PerfShape } from './perf-fields.js';
import {
  ABSENT, HEAD_PROBE, PERF_BAD, PERF_NON_SAMPLE, compileShape, newPerfSample, parsePerfHead, parsePerfLine,
  parsePerfRest,
} from './perf-line.js';
import type { LineShape, PerfSample } from './perf-line.js';
import { detectShape, middleCandidates } from './perf-detect.js';
import type { ProbeLine } from './perf-detect.js';
import {
  PERF_SKIP_REASONS, checkHz, checkPageSize, cpuNodeTable, isMemoryEvent, perfTimeToJiffies,
} from './perf-map.js';
import type { NidMode, PerfSkipReason } from './perf-map.js';

/** KPROMOTED_HW_HINTS: every perf sample is a hardware hint (src 0). */
const SRC_HWHINTS = 0;

/** Options of readPerf() / PerfReader. */
export interface PerfReadOptions {
  /** File name for messages (`-` for stdin). */
  readonly file?: string;
  /** Needed for `nid: 'cpu'` (the default). */
  readonly topology?: Topology;
  /** HZ for the jiffies conversion; default 250. */
  readonly hz?: number;
  /** `--page-size`: pfn = phys_addr / pageSize; default 4096. */
  readonly pageSize?: number;
  /** `--nid`; default `cpu`. */
  readonly nid?: NidMode;
  /** `--perf-fields` (the `perf script -F` list) or a parsed shape; omitted: detect. */
  readonly fields?: string | PerfShape;
  /** `--event`: accept only these event names (exact, without the trailing `:`); default isMemoryEvent(). */
  readonly events?: readonly string[];
  /** `--skip-bad`: count malformed lines instead of stopping at the first one. */
  readonly skipBad?: boolean;
  /** Called for every line skipped as bad (with skipBad). */
  readonly onBad?: (bad: PerfBadLine) => void;
  /** Accepted sample lines used to detect the shape; default 32. */
  readonly detectLines?: number;
}

/** A malformed line skipped with skipBad. */
export interface PerfBadLine {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
  readonly field?: string;
}

/** What a perf read did. */
export interface PerfReadStats {
  /** Lines read (every line, comments included). */
  readonly lines: number;
  /** Sample lines (any event, bad ones excluded). */
  readonly samples: number;
  /** Access records given to the sink. */
  readonly records: number;
  /** Blank, `#` and `PERF_RECORD_*` lines. */
  readonly nonSample: number;
  /** Samples and lines that gave no record, by reason. */
  readonly skipped: Readonly<Record<PerfSkipReason, number>>;
  /** The first few bad lines skipped (skipBad), for stderr. */
  readonly firstBad: readonly PerfBadLine[];
  /** Sample lines per event name (`''` when no event is printed). */
  readonly events: ReadonlyMap<string, number>;
  /** The shape used (given or detected); null when no sample line was seen. */
  readonly shape: PerfShape | null;
}

/** How many bad lines PerfReadStats.firstBad keeps. */
export const FIRST_BAD_KEPT = 5;

/** Synchronous core of readPerf(): push() chunks in order, then end(). */
export class PerfReader {
  private readonly sink: AccessSink;
  private readonly file: string;
  private readonly hz: number;
  private readonly pageSize: number;
  private readonly nid: NidMode;
  private readonly cpuNode: Int32Array;
  private readonly events: ReadonlySet<string> | null;
  private readonly skipBad: boolean;
  private readonly onBad: ((bad: PerfBadLine) => void) | undefined;
  private readonly detectLines: number;
  private readonly decoder = new StringDecoder('utf8');
  private readonly s: PerfSample = newPerfSample();
  private carry = '';
  private shape: PerfShape | null = null;
  private ls: LineShape | null = null;
  private pending: { no: number; text: string }[] = [];
  private probes: ProbeLine[] = [];
  private lineNo = 0;
  private samples = 0;
  private records = 0;
  private nonSample = 0;
  private readonly skipped: Record<PerfSkipReason, number>;
  private readonly firstBad: PerfBadLine[] = [];
  private readonly eventCounts = new Map<string, number>();
  private lastEvent: string | null = null;
  private lastAccepted = true;
  private run = 0;

  constructor(sink: AccessSink, opts: PerfReadOptions = {}) {
    this.sink = sink;
    this.file = opts.file ?? '-';
    this.hz = opts.hz ?? 250;
    checkHz(this.hz);
    this.pageSize = checkPageSize(opts.pageSize ?? 4096);
    this.nid = opts.nid ?? 'cpu';
    if (this.nid === 'cpu') {
      if (!opts.topology) throw new UsageError('--nid cpu needs a topology (its nodes\' cpus)');
      this.cpuNode = cpuNodeTable(opts.topology);
    } else {
      this.cpuNode = new Int32Array(0);
    }
    this.events = opts.events && opts.events.length > 0 ? new Set(opts.events) : null;
    this.skipBad = opts.skipBad ?? false;
    this.onBad = opts.onBad;
    this.detectLines = Math.max(1, opts.detectLines ?? 32);
    this.skipped = Object.fromEntries(PERF_SKIP_REASONS.map((r) => [r, 0])) as Record<PerfSkipReason, number>;
    if (opts.fields !== undefined) {
      this.useShape(typeof opts.fields === 'string' ? parsePerfFields(opts.fields) : opts.fields);
    }
  }

  private useShape(shape: PerfShape): void {
    const ls = compileShape(shape);
    if (this.nid === 'cpu' && ls.cpu === ABSENT) {
      throw new UsageError(`--nid cpu needs the cpu field, which these perf lines lack (fields ${shapeToString(shape)}); add cpu to perf script -F or use --nid none / --nid N`);
    }
    if (this.events !== null && ls.event === ABSENT) {
      throw new UsageError(`--event needs the event field, which these perf lines lack (fields ${shapeToString(shape)})`);
    }
    this.shape = shape;
    this.ls = ls;
  }

  /** Feeds the next chunk of text. */
  push(chunk: Buffer | string): void {
    const text = this.carry + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.line(text.slice(start, end));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.carry = start === 0 ? text : text.slice(start);
  }

  /** Ends the input (a last line without `\n` counts) and returns the statistics. */
  end(): PerfReadStats {
    const rest = this.carry + this.decoder.end();
    this.carry = '';
    if (rest !== '') this.line(rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest);
    if (this.ls === null) this.detect();
    this.flushRun();
    return {
      lines: this.lineNo,
      samples: this.samples,
      records: this.records,
      nonSample: this.nonSample,
      skipped: { ...this.skipped },
      firstBad: this.firstBad.slice(),
      events: new Map(this.eventCounts),
      shape: this.shape,
    };
  }

  private line(text: string): void {
    const no = ++this.lineNo;
    if (this.ls !== null) {
      this.process(text, no);
      return;
    }
    this.pending.push({ no, text });
    this.probe(text, no);
    if (this.probes.length >= this.detectLines) this.detect();
    else if (this.pending.length >= 4096 && this.probes.length === 0) {
      // No accepted sample yet: these lines need no field list beyond the head.
      const lines = this.pending;
      this.pending = [];
      for (const l of lines) this.processWith(HEAD_PROBE, l.text, l.no);
    }
  }

  /** Adds a window line to the detection probes when it is a sample of an accepted event. */
  private probe(text: string, no: number): void {
    const c0 = text.charCodeAt(0);
    if (text.length === 0 || c0 === 35 || c0 === 9) return;
    const s = this.s;
    if (parsePerfLine(text, HEAD_PROBE, s) !== 0) return;
    if (!this.accepts(s.event)) return;
    let head = text.slice(0, s.timeStart).trimEnd();
    if (s.cpu >= 0) head = head.slice(0, head.lastIndexOf('[')).trimEnd();
    this.probes.push({
      line: no,
      text,
      comm: head.trim() !== '',
      cpu: s.cpu >= 0,
      period: s.event !== '' && s.rest > s.timeStart && /^\s*[0-9]+\s/.test(text.slice(text.indexOf(': ', s.timeStart) + 2)),
      event: s.event !== '',
      candidates: middleCandidates(text.slice(s.rest)),
    });
  }

  private detect(): void {
    if (this.probes.length > 0) {
      const firstEmpty = this.probes.find((p) => p.candidates.size === 0);
      if (firstEmpty && this.skipBad) {
        // Unrecognised lines are bad lines; the rest decide the shape.
        this.probes = this.probes.filter((p) => p.candidates.size > 0);
      }
      const d = detectShape(this.probes);
      if (!d.ok) throw new TraceError({ file: this.file, line: d.line, column: 0, text: d.text }, d.reason);
      this.useShape(d.shape);
    } else {
      this.shape = null;
      this.ls = HEAD_PROBE;
    }
    const lines = this.pending;
    this.pending = [];
    this.probes = [];
    for (const l of lines) this.process(l.text, l.no);
  }

  private accepts(event: string): boolean {
    if (event === '') return true;
    return this.events !== null ? this.events.has(event) : isMemoryEvent(event);
  }

  private flushRun(): void {
    if (this.lastEvent !== null && this.run > 0) {
      this.eventCounts.set(this.lastEvent, (this.eventCounts.get(this.lastEvent) ?? 0) + this.run);
    }
    this.run = 0;
  }

  private process(text: string, no: number): void {
    this.processWith(this.ls!, text, no);
  }

  private processWith(ls: LineShape, text: string, no: number): void {
    const c0 = text.charCodeAt(0);
    if (text.length === 0 || c0 === 35 /* # */) {
      this.nonSample++;
      return;
    }
    if (c0 === 9 /* \t */) {
      this.bad(ls, text, no, '', 'callchain frame line; run perf script with -G (--hide-call-graph)');
      return;
    }
    const s = this.s;
    const st = parsePerfHead(text, ls, s);
    if (st === PERF_BAD) {
      if (text.trim() === '') this.nonSample++;
      else this.bad(ls, text, no, s.field, s.reason);
      return;
    }
    if (st === PERF_NON_SAMPLE) {
      this.nonSample++;
      return;
    }
    this.samples++;
    if (s.event !== this.lastEvent) {
      this.flushRun();
      this.lastEvent = s.event;
      this.lastAccepted = this.accepts(s.event);
    }
    this.run++;
    if (!this.lastAccepted) {
      this.skipped.other_event++;
      return;
    }
    if (parsePerfRest(text, ls, s) === PERF_BAD) {
      this.samples--;
      this.run--;
      this.bad(ls, text, no, s.field, s.reason);
      return;
    }
    if (s.physAddr < 0) {
      this.skipped.phys_addr_missing++;
      return;
    }
    if (s.physAddr === 0) {
      this.skipped.phys_addr_zero++;
      return;
    }
    let nid: number;
    if (this.nid === 'cpu') {
      if (s.cpu < 0) {
        this.samples--;
        this.bad(ls, text, no, 'cpu', 'no [cpu] on this line, needed by --nid cpu');
        return;
      }
      nid = s.cpu < this.cpuNode.length ? this.cpuNode[s.cpu]! : -1;
      if (nid < 0) {
        this.skipped.cpu_not_in_topology++;
        return;
      }
    } else {
      nid = this.nid === 'none' ? -1 : this.nid;
    }
    const time = perfTimeToJiffies(s.sec, s.frac, s.fracDigits, this.hz);
    if (time < 0) {
      this.samples--;
      this.bad(ls, text, no, 'time', 'time is too large: jiffies would reach 2^53');
      return;
    }
    this.records++;
    this.sink.record_access(Math.floor(s.physAddr / this.pageSize), nid, SRC_HWHINTS, time);
  }

  private bad(ls: LineShape, text: string, no: number, field: PerfField | '', reason: string): void {
    const column = field === '' ? 0 : ls.column.get(field) ?? 0;
    if (!this.skipBad) {
      throw new TraceError(field === '' ? { file: this.file, line: no, column, text } : { file: this.file, line: no, column, field, text }, reason);
    }
    this.skipped.bad_line++;
    const b: PerfBadLine = field === '' ? { line: no, text, reason } : { line: no, text, reason, field };
    if (this.firstBad.length < FIRST_BAD_KEPT) this.firstBad.push(b);
    this.onBad?.(b);
  }
}

/** Reads `perf script` output from chunks (a stream, or an array in tests) into `sink`. */
export async function readPerf(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  sink: AccessSink,
  opts: PerfReadOptions = {},
): Promise<PerfReadStats> {
  const reader = new PerfReader(sink, opts);
  for await (const chunk of source) reader.push(chunk);
  return reader.end();
}

/** Header lines `perf script --header` prints before the samples. */
const PERF_HEADER = /^# (?:=+|captured on|perf version|cmdline|event : |hostname|os release|arch|nrcpus|total memory|header version|data size|feat offset|time of|\.\.\.)/;
const PERF_TIME = /(?:^|\s)[0-9]+\.(?:[0-9]{6}|[0-9]{9}):(?:\s|$)/;

/**
 * Sniffs the start of an input: true when it looks like `perf script` output (its first line that
 * is neither blank nor a comment has a perf time token `S.UUUUUU:`, or a perf header is seen), so a
 * caller can pick the perf reader over the CSV one. CSV traces never contain `<digits>.<6|9 digits>:`.
 */
export function looksLikePerf(firstBytes: Buffer | string): boolean {
  const text = typeof firstBytes === 'string' ? firstBytes : firstBytes.toString('utf8');
  const lines = text.split('\n');
  // The last piece may be cut in the middle; use it only if it is the only one.
  const usable = lines.length > 1 ? lines.slice(0, -1) : lines;
  for (const raw of usable) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      if (PERF_HEADER.test(line)) return true;
      continue;
    }
    return PERF_TIME.test(line);
  }
  return false;
}
