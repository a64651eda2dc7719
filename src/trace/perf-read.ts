/**
 * Streams `perf script` text into an AccessSink: split chunks into lines, detect or take the field
 * list, parse each sample line, map it to `record_access(pfn, nid, hwhints, jiffies)`.
 *
 * Lines that are not samples and are skipped (counted in nonSample): blank lines, `#` lines
 * (`perf script --header`), and `PERF_RECORD_*` lines (`--show-task-events` & co.). A line starting
 * with a tab is a callchain frame (perf prints frames as `\t<ip> <sym> (<dso>)` when the samples
 * have callchains and ip is printed); with callchains perf moves phys_addr below the frames, so such
 * lines are refused: run `perf script` with `-G` (`--hide-call-graph`).
 *
 * A sample gives no record, counted by the first reason that applies, in this order: other_event
 * (event filter), phys_addr_missing (the line has no phys_addr), phys_addr_zero (not available:
 * IBS PhyAddrVal clear, unprivileged perf), cpu_not_in_topology (`--nid cpu` only). Malformed lines
 * are errors (TraceError, exit 2), or bad_line with skipBad.
 */
import { TraceError, UsageError } from '../errors.js';
import type { Topology } from '../engine/topology.js';
import type { AccessSink } from '../engine/types.js';
import { parsePerfFields, shapeToString } from './perf-fields.js';
import type { PerfField, PerfShape } from './perf-fields.js';
import {
  ABSENT, HEAD_PROBE, PERF_BAD, PERF_NON_SAMPLE, PERF_SAMPLE, compileShape, newPerfSample, parsePerfHead,
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
  /** Called for every line skipped as bad (with skipBad), with the error it would have thrown (as read.ts's onBad). */
  readonly onBad?: (err: TraceError) => void;
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
  private readonly onBad: ((err: TraceError) => void) | undefined;
  private readonly detectLines: number;
  private readonly s: PerfSample = newPerfSample();
  /** The partial last line of the previous chunk. */
  private carry: Buffer = Buffer.alloc(0);
  private shape: PerfShape | null = null;
  private ls: LineShape | null = null;
  private pending: { no: number; bytes: Buffer }[] = [];
  private probes: ProbeLine[] = [];
  private lineNo = 0;
  private samples = 0;
  private records = 0;
  private nonSample = 0;
  private readonly skipped: Record<PerfSkipReason, number>;
  private readonly firstBad: PerfBadLine[] = [];
  /** Events seen, most recent first (a file has a handful): name bytes, name, filter verdict, samples. */
  private readonly seen: { bytes: Buffer; name: string; accepted: boolean; samples: number }[] = [];

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

  /** Feeds the next chunk (a Buffer may be reused by the caller afterwards). */
  push(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    const start = this.carry.length > 0 ? this.joinCarry(b) : 0;
    if (start < 0) return;
    const rest = this.scan(b, start);
    if (rest < b.length) this.keepCarry(b, rest);
  }

  /**
   * The hot loop over the whole lines of a chunk from `start`; returns where the partial last line
   * starts. Kept apart from the cold carry code so V8's optimized loop survives between chunks.
   */
  private scan(b: Buffer, start: number): number {
    let nl = b.indexOf(10, start);
    while (nl >= 0) {
      this.line(b, start, nl);
      start = nl + 1;
      nl = b.indexOf(10, start);
    }
    return start;
  }

  /** Completes the carried partial line with the start of `b`; returns where `b`'s next line starts, -1 if none. */
  private joinCarry(b: Buffer): number {
    const nl = b.indexOf(10);
    if (nl < 0) {
      this.carry = Buffer.concat([this.carry, b]);
      return -1;
    }
    const line = Buffer.concat([this.carry, b.subarray(0, nl)]);
    this.carry = Buffer.alloc(0);
    this.line(line, 0, line.length);
    return nl + 1;
  }

  private keepCarry(b: Buffer, from: number): void {
    this.carry = Buffer.from(b.subarray(from));
  }

  /** Ends the input (a last line without `\n` counts) and returns the statistics. */
  end(): PerfReadStats {
    if (this.carry.length > 0) {
      const last = this.carry;
      this.carry = Buffer.alloc(0);
      this.line(last, 0, last.length);
    }
    if (this.ls === null) this.detect();
    const events = new Map<string, number>();
    for (const ev of this.seen) if (ev.samples > 0) events.set(ev.name, ev.samples);
    return {
      lines: this.lineNo,
      samples: this.samples,
      records: this.records,
      nonSample: this.nonSample,
      skipped: { ...this.skipped },
      firstBad: this.firstBad.slice(),
      events,
      shape: this.shape,
    };
  }

  /** One line b[s, e) without its `\n`. */
  private line(b: Buffer, s: number, e: number): void {
    const no = ++this.lineNo;
    if (e > s && b[e - 1] === 13) e--;
    if (this.ls !== null) {
      this.processWith(this.ls, b, s, e, no);
      return;
    }
    const bytes = Buffer.from(b.subarray(s, e));
    this.pending.push({ no, bytes });
    this.probe(bytes, no);
    if (this.probes.length >= this.detectLines) this.detect();
    else if (this.pending.length >= 4096 && this.probes.length === 0) {
      // No accepted sample yet: these lines need no field list beyond the head.
      const lines = this.pending;
      this.pending = [];
      for (const l of lines) this.processWith(HEAD_PROBE, l.bytes, 0, l.bytes.length, l.no);
    }
  }

  /** Adds a window line to the detection probes when it is a sample of an accepted event. */
  private probe(b: Buffer, no: number): void {
    const c0 = b[0];
    if (b.length === 0 || c0 === 35 || c0 === 9) return;
    const s = this.s;
    if (parsePerfHead(b, 0, b.length, HEAD_PROBE, s) !== PERF_SAMPLE) return;
    const event = b.toString('utf8', s.eventStart, s.eventEnd);
    if (!this.accepts(event)) return;
    let head = b.toString('utf8', 0, s.timeStart).trimEnd();
    if (s.cpu >= 0) head = head.slice(0, head.lastIndexOf('[')).trimEnd();
    const afterTime = b.toString('utf8', s.timeStart, b.length);
    this.probes.push({
      line: no,
      text: b.toString('utf8'),
      comm: head.trim() !== '',
      cpu: s.cpu >= 0,
      period: event !== '' && /^\s*[0-9]+\s/.test(afterTime.slice(afterTime.indexOf(': ') + 2)),
      event: event !== '',
      candidates: middleCandidates(b.toString('utf8', s.rest, b.length)),
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
    for (const l of lines) this.processWith(this.ls!, l.bytes, 0, l.bytes.length, l.no);
  }

  private accepts(event: string): boolean {
    if (event === '') return true;
    return this.events !== null ? this.events.has(event) : isMemoryEvent(event);
  }

  /** The event of b[s.eventStart, s.eventEnd) in `seen`, found by its bytes (a string only for a new one). */
  private eventOf(b: Buffer): { bytes: Buffer; name: string; accepted: boolean; samples: number } {
    const s = this.s;
    const len = s.eventEnd - s.eventStart;
    const seen = this.seen;
    for (let k = 0; k < seen.length; k++) {
      const ev = seen[k]!;
      const bytes = ev.bytes;
      if (bytes.length !== len) continue;
      let i = 0;
      while (i < len && b[s.eventStart + i] === bytes[i]) i++;
      if (i === len) return ev;
    }
    const bytes = Buffer.from(b.subarray(s.eventStart, s.eventEnd));
    const name = bytes.toString('utf8');
    const ev = { bytes, name, accepted: this.accepts(name), samples: 0 };
    seen.push(ev);
    return ev;
  }

  private processWith(ls: LineShape, b: Buffer, from: number, to: number, no: number): void {
    const c0 = b[from];
    if (to === from || c0 === 35 /* # */) {
      this.nonSample++;
      return;
    }
    if (c0 === 9 /* \t */) {
      this.bad(ls, b, from, to, no, '', 'callchain frame line; run perf script with -G (--hide-call-graph)');
      return;
    }
    const s = this.s;
    const st = parsePerfHead(b, from, to, ls, s);
    if (st === PERF_BAD) {
      if (b.toString('utf8', from, to).trim() === '') this.nonSample++;
      else this.bad(ls, b, from, to, no, s.field, s.reason);
      return;
    }
    if (st === PERF_NON_SAMPLE) {
      this.nonSample++;
      return;
    }
    const ev = this.eventOf(b);
    if (!ev.accepted) {
      this.samples++;
      ev.samples++;
      this.skipped.other_event++;
      return;
    }
    if (parsePerfRest(b, from, to, ls, s) === PERF_BAD) {
      this.bad(ls, b, from, to, no, s.field, s.reason);
      return;
    }
    this.samples++;
    ev.samples++;
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
        ev.samples--;
        this.bad(ls, b, from, to, no, 'cpu', 'no [cpu] on this line, needed by --nid cpu');
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
      ev.samples--;
      this.bad(ls, b, from, to, no, 'time', 'time is too large: jiffies would reach 2^53');
      return;
    }
    this.records++;
    this.sink.record_access(Math.floor(s.physAddr / this.pageSize), nid, SRC_HWHINTS, time);
  }

  private bad(ls: LineShape, b: Buffer, from: number, to: number, no: number, field: PerfField | '', reason: string): void {
    const text = b.toString('utf8', from, to);
    const column = field === '' ? 0 : ls.column.get(field) ?? 0;
    const err = new TraceError(field === '' ? { file: this.file, line: no, column, text } : { file: this.file, line: no, column, field, text }, reason);
    if (!this.skipBad) throw err;
    this.skipped.bad_line++;
    const skipped: PerfBadLine = field === '' ? { line: no, text, reason } : { line: no, text, reason, field };
    if (this.firstBad.length < FIRST_BAD_KEPT) this.firstBad.push(skipped);
    this.onBad?.(err);
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

/** Sniffs CSV vs perf input (see perf-detect.ts). */
export { looksLikePerf } from './perf-detect.js';
