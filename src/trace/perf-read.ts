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
  ABSENT, HEAD_PROBE, PERF_BAD, PERF_NON_SAMPLE, PERF_SAMPLE, PRESENT, compileShape, cpuAt, newPerfSample, parsePerfHead,
  parsePerfRest, pidAt, pidTidBefore,
} from './perf-line.js';
import type { LineShape, PerfSample } from './perf-line.js';
import { detectShape, middleCandidates, physSignature } from './perf-detect.js';
import type { PhysDoubt, ProbeLine } from './perf-detect.js';
import { WASM_AFTER_BYTES } from './fast.js';
import { fastLines, fastMissing, fastNoCpu, fastRecords, fastSamples, fastShape, fastZero, scanPerf } from './perf-fast.js';
import type { FastShape, Placement } from './perf-fast.js';
import { MAX_LINE_BYTES, overlongLineAt } from './tracefile.js';
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
  /** Accepted sample lines detection looks at before it may decide; default 32 (it reads on while in doubt). */
  readonly detectLines?: number;
  /** false: never use the byte-level fast path (perf-fast.ts), for differential tests. */
  readonly fast?: boolean;
  /** Lines before the first one pushed (a read that goes on from a line of the file: error line numbers). */
  readonly startLine?: number;
}

/** Detection reads on while in doubt, up to this many lines ... */
export const DETECT_MAX_LINES = 64 << 10;
/** ... or this many bytes held, then decides with what it has. */
export const DETECT_MAX_BYTES = 8 << 20;
/**
 * A dump whose first sample is at time 0 is `perf script --reltime` or `--deltatime` output: the times of its first
 * this many samples are checked to go forward (deltas go back and forth), before the fast path takes lines.
 */
export const ORDER_CHECKED_SAMPLES = 64;
/** Bad text quoted in an error: at most this many characters. */
const QUOTE_CHARS = 200;

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
  /** What detection assumed, for stderr (with how to make it explicit). */
  readonly notes: readonly string[];
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
  private readonly topology: Topology | undefined;
  private readonly useFast: boolean;
  private readonly s: PerfSample = newPerfSample();
  /** The partial last line of the previous chunk: carry[0, carryLen). */
  private carry: Buffer = Buffer.allocUnsafe(4096);
  private carryLen = 0;
  /** True while the rest of a line over the cap is discarded up to its LF (skipped with skipBad). */
  private discarding = false;
  /** Bytes the fast path took so far (see WASM_AFTER_BYTES in fast.ts). */
  private parsed = 0;
  private shape: PerfShape | null = null;
  private ls: LineShape | null = null;
  private fs: FastShape | null = null;
  /** The accepted event the fast path takes (the last one the general parser accepted). */
  private fastEv: { bytes: Buffer; name: string; accepted: boolean; samples: number } | null = null;
  private pending: { no: number; bytes: Buffer }[] = [];
  private pendingBytes = 0;
  private probes: ProbeLine[] = [];
  /** Readings every probe so far allows (intersection of their candidates); null before the first. */
  private common: Set<string> | null = null;
  private readonly candidateCache = new Map<string, ReadonlySet<string>>();
  private readonly notes: string[] = [];
  private lineNo = 0;
  /** Samples whose time order is still to be checked (ORDER_CHECKED_SAMPLES); -1 before the first sample. */
  private orderLeft = -1;
  /** The time of the sample before, while checking: seconds and nanoseconds. */
  private orderSec = 0;
  private orderNs = 0;
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
    this.topology = opts.topology;
    this.useFast = opts.fast ?? true;
    this.lineNo = opts.startLine ?? 0;
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
    this.fs = this.useFast ? fastShape(ls, this.nid, this.cpuNode, this.hz, this.pageSize) : null;
    if (this.fs !== null && ls.event === ABSENT) this.fastEv = this.eventOfName('');
  }

  /**
   * What the byte-level fast path takes, once it can take the next line (the shape decided, an event accepted, no line
   * held or part way): its shape, the line shape, and the events seen so far, the fast path's own first. Null before then.
   */
  fastState(): {
    readonly fs: FastShape;
    readonly shape: PerfShape;
    readonly events: readonly { readonly name: string; readonly bytes: Buffer; readonly accepted: boolean }[];
  } | null {
    const fs = this.fs;
    const ev = this.fastEv;
    if (fs === null || ev === null || this.shape === null || this.pending.length > 0 || this.carryLen > 0 || this.discarding || this.orderLeft !== 0) return null;
    const others = this.seen.filter((e) => e !== ev);
    return { fs, shape: this.shape, events: [ev, ...others].map((e) => ({ name: e.name, bytes: e.bytes, accepted: e.accepted })) };
  }

  /** True once the shape is decided and has no byte-level fast path (optional fields, misc, page sizes, ipc). */
  noFastPath(): boolean {
    return this.ls !== null && this.fs === null;
  }

  /** Records handed to the sink so far (for a progress line). */
  get recordCount(): number {
    return this.records;
  }

  /** Feeds the next chunk (a Buffer may be reused by the caller afterwards). */
  push(chunk: Buffer | string): void {
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    if (this.discarding) {
      const nl = b.indexOf(10);
      if (nl < 0) return;
      this.discarding = false;
      start = nl + 1;
    } else if (this.carryLen > 0) {
      const nl = b.indexOf(10);
      if (nl < 0) {
        this.discarding = !this.append(b, 0, b.length);
        return;
      }
      start = nl + 1;
      if (this.append(b, 0, nl)) {
        const len = this.carryLen;
        this.carryLen = 0;
        this.line(this.carry, 0, len);
      }
    }
    const rest = this.scan(b, start);
    if (rest < b.length) this.discarding = !this.append(b, rest, b.length);
  }

  /**
   * The whole lines of a chunk from `start`: through the fast path while it takes them, each other
   * line through line(); returns where the partial last line starts.
   */
  private scan(b: Buffer, start: number): number {
    const last = b.lastIndexOf(10);
    if (last < start) return start;
    const end = last + 1;
    // The fast path takes lines of any length: it stops before a line over the cap, which line() refuses (or skips:
    // the lines after it are measured again).
    const long = overlongLineAt(b, start, end);
    let fastEnd = long < 0 ? end : long;
    // The chunk is copied into the WebAssembly parser's memory once, not at each line the fast path leaves to line().
    const placed: Placement = { buf: null, pos: 0, end: 0, shift: 0 };
    while (start < end) {
      const fs = this.fs;
      const ev = this.fastEv;
      if (fs !== null && ev !== null && this.orderLeft === 0 && start < fastEnd) {
        const stop = scanPerf(b, start, fastEnd, fs, ev.bytes, this.sink, this.parsed >= WASM_AFTER_BYTES, placed);
        this.parsed += stop - start;
        if (fastLines > 0) this.took(ev);
        start = stop;
        if (start >= end) break;
      }
      const nl = b.indexOf(10, start);
      this.line(b, start, nl);
      start = nl + 1;
      if (start > fastEnd) {
        const next = overlongLineAt(b, start, end);
        fastEnd = next < 0 ? end : next;
      }
    }
    return end;
  }

  /** Adds what the fast path took to the counters. */
  private took(ev: { samples: number }): void {
    this.lineNo += fastLines;
    this.samples += fastSamples;
    ev.samples += fastSamples;
    this.records += fastRecords;
    this.skipped.phys_addr_zero += fastZero;
    this.skipped.phys_addr_missing += fastMissing;
    this.skipped.cpu_not_in_topology += fastNoCpu;
  }

  /**
   * Adds src[from, to) to the carried partial line; true when it did. A line over MAX_LINE_BYTES is an error (bounded
   * memory), or skipped with skipBad: then false, nothing is held, and the caller discards the rest of it up to its LF.
   */
  private append(src: Uint8Array, from: number, to: number): boolean {
    const need = this.carryLen + (to - from);
    if (need > this.carry.length) {
      if (need > MAX_LINE_BYTES) {
        // Its first QUOTE_CHARS bytes: those held, then those of src.
        const held = this.carry.subarray(0, Math.min(this.carryLen, QUOTE_CHARS));
        const head = Buffer.concat([held, src.subarray(from, Math.min(to, from + QUOTE_CHARS - held.length))]);
        this.carryLen = 0;
        this.longLine(head, 0, head.length);
        return false;
      }
      const grown = Buffer.allocUnsafe(Math.min(MAX_LINE_BYTES, Math.max(need, this.carry.length * 2)));
      this.carry.copy(grown, 0, 0, this.carryLen);
      this.carry = grown;
    }
    this.carry.set(src.subarray(from, to), this.carryLen);
    this.carryLen = need;
    return true;
  }

  /**
   * The next line, b[s, e) as held, is over the cap: its error quotes its first QUOTE_CHARS characters (not how much of
   * it was held, which depends on where the reads cut the input: a read from an offset, trace/parallel.ts, cuts it
   * elsewhere). Thrown, or with skipBad the line is counted and skipped, and the caller discards its bytes to its LF.
   */
  private longLine(b: Uint8Array, s: number, e: number): void {
    const head = quote(b, s, Math.min(e, s + QUOTE_CHARS));
    const no = ++this.lineNo;
    const text = `${head.slice(0, QUOTE_CHARS)}...`;
    this.skip(new TraceError({ file: this.file, line: no, column: 0, text }, `line is longer than ${MAX_LINE_BYTES} bytes`), { line: no, text, reason: `line is longer than ${MAX_LINE_BYTES} bytes` });
  }

  /** Ends the input (a last line without `\n` counts) and returns the statistics. */
  end(): PerfReadStats {
    this.discarding = false; // a skipped line over the cap ran to the end: it was counted when it passed the cap
    if (this.carryLen > 0) {
      const len = this.carryLen;
      this.carryLen = 0;
      this.line(this.carry, 0, len);
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
      notes: this.notes.slice(),
    };
  }

  /** One line b[s, e) without its `\n`. */
  private line(b: Buffer, s: number, e: number): void {
    if (e - s > MAX_LINE_BYTES) {
      this.longLine(b, s, e);
      return;
    }
    const no = ++this.lineNo;
    if (e > s && b[e - 1] === 13) e--;
    if (this.ls !== null) {
      this.processWith(this.ls, b, s, e, no);
      return;
    }
    const bytes = Buffer.from(b.subarray(s, e));
    this.pending.push({ no, bytes });
    this.pendingBytes += bytes.length;
    this.probe(bytes, no);
    if (this.ls !== null) return; // decided (or failed) by the probe
    if (this.probes.length >= this.detectLines && this.settled()) this.detect();
    else if (this.pending.length >= DETECT_MAX_LINES || this.pendingBytes >= DETECT_MAX_BYTES) this.detect();
    else if (this.pending.length >= 4096 && this.probes.length === 0) {
      // No accepted sample yet: these lines need no field list beyond the head.
      const lines = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      for (const l of lines) this.processWith(HEAD_PROBE, l.bytes, 0, l.bytes.length, l.no);
    }
  }

  /** True when the lines so far agree on where phys_addr is (one phys signature left). */
  private settled(): boolean {
    const c = this.common;
    if (c === null || c.size === 0) return true;
    let sig: string | null = null;
    for (const x of c) {
      const g = physSignature(x);
      if (sig === null) sig = g;
      else if (g !== sig) return false;
    }
    return true;
  }

  /** Adds a window line to the detection probes when it is a sample of an accepted event. */
  private probe(b: Buffer, no: number): void {
    const c0 = b[0];
    if (b.length === 0 || c0 === 35 || c0 === 9) return;
    const s = this.s;
    // A head with `[cpu]` before the time first: a command name may hold a time token of its own, which the cpu
    // field after it tells from the sample's; then `[cpu] misc` (-F ...,misc), then any head.
    let misc = false;
    let st = parsePerfHead(b, 0, b.length, HEAD_PROBE_CPU, s);
    if (st === PERF_BAD) {
      st = parsePerfHead(b, 0, b.length, HEAD_PROBE_MISC, s);
      misc = st !== PERF_BAD;
    }
    if (st === PERF_BAD) st = parsePerfHead(b, 0, b.length, HEAD_PROBE, s);
    if (st === PERF_BAD) {
      // Not even a perf head (no time): say so at once rather than after the detection window.
      if (!this.skipBad && b.toString('latin1').trim() !== '') this.processWith(HEAD_PROBE, b, 0, b.length, no);
      return;
    }
    if (st !== PERF_SAMPLE) return;
    const event = b.toString('utf8', s.eventStart, s.eventEnd);
    if (!this.accepts(event)) return;
    // What comes before the cpu (or the time): [comm] [pid[/tid]].
    const before = s.cpu >= 0 ? cpuAt : s.timeStart;
    const pidTid = pidTidBefore(b, 0, before);
    const head = b.toString('utf8', 0, pidTid !== 0 ? pidAt : before);
    const afterTime = b.toString('utf8', s.timeStart, b.length);
    const middle = b.toString('utf8', s.rest, b.length);
    let candidates = this.candidateCache.get(middle);
    if (candidates === undefined) {
      candidates = middleCandidates(middle);
      if (this.candidateCache.size >= 4096) this.candidateCache.clear();
      this.candidateCache.set(middle, candidates);
    }
    this.probes.push({
      line: no,
      text: b.toString('utf8'),
      comm: head.trim() !== '',
      pidTid,
      misc: misc && miscLetters(b, cpuAt, s.timeStart),
      cpu: s.cpu >= 0,
      period: event !== '' && /^\s*[0-9]+\s/.test(afterTime.slice(afterTime.indexOf(': ') + 2)),
      event: event !== '',
      candidates,
    });
    if (candidates.size === 0) {
      if (!this.skipBad) this.detect(); // reports this line
      return;
    }
    const prev = this.common;
    const next = prev === null ? new Set(candidates) : new Set([...prev].filter((c) => candidates.has(c)));
    this.common = next;
    if (next.size === 0) this.detect(); // reports this line
  }

  /** Decides the shape from the probes held (or the error), then parses the lines held. */
  private detect(): void {
    if (this.probes.length > 0) {
      const firstEmpty = this.probes.find((p) => p.candidates.size === 0);
      if (firstEmpty && this.skipBad) {
        // Unrecognised lines are bad lines; the rest decide the shape.
        this.probes = this.probes.filter((p) => p.candidates.size > 0);
      }
    }
    if (this.probes.length > 0) {
      const d = detectShape(this.probes);
      if (d.ok) this.useShape(d.shape);
      else if (d.physDoubt !== undefined && this.topology !== undefined) this.settleDoubt(d.physDoubt, this.topology);
      else {
        const t = Buffer.from(d.text);
        // A last column of more than 16 hex digits fits no list: say what is wrong with it rather than that.
        const wide = /(?:^|\s)([0-9a-f]{17,})\s*$/.exec(d.text);
        if (wide !== null) {
          const at = d.text.length - wide[0].length + wide[0].indexOf(wide[1]!);
          throw new TraceError({ file: this.file, line: d.line, column: at + 1, field: 'phys_addr', text: quote(t, 0, t.length) }, `phys_addr has ${wide[1]!.length} hex digits, more than 64 bits`);
        }
        throw new TraceError({ file: this.file, line: d.line, column: 0, text: quote(t, 0, t.length) }, d.reason);
      }
    } else {
      this.shape = null;
      this.ls = HEAD_PROBE;
    }
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.probes = [];
    this.common = null;
    this.candidateCache.clear();
    for (const l of lines) this.processWith(this.ls!, l.bytes, 0, l.bytes.length, l.no);
  }

  /**
   * One hex column that is phys_addr or not (addr): physical addresses fall inside the topology's
   * pfn ranges, user virtual addresses (0x55..., 0x7f...) do not. Read as phys_addr when every
   * nonzero value of the lines held does (or there is none), else as addr; stderr says which and why.
   */
  private settleDoubt(doubt: PhysDoubt, topo: Topology): void {
    const ls = compileShape(doubt.withPhys);
    const s = this.s;
    let nonzero = 0;
    let inside = 0;
    for (const l of this.pending) {
      const b = l.bytes;
      if (b.length === 0 || b[0] === 35 || b[0] === 9) continue;
      if (parsePerfHead(b, 0, b.length, ls, s) !== PERF_SAMPLE) continue;
      if (!this.accepts(b.toString('utf8', s.eventStart, s.eventEnd))) continue;
      if (parsePerfRest(b, 0, b.length, ls, s) !== PERF_SAMPLE || s.physAddr <= 0) continue;
      nonzero++;
      if (inRanges(topo, Math.floor(s.physAddr / this.pageSize))) inside++;
    }
    const withList = doubt.withPhys.printed.join(',');
    const withoutList = doubt.withoutPhys.printed.join(',');
    const lines = this.pending.length;
    const head = `${this.file}: perf fields: -F ${withList} and -F ${withoutList} print the same text, so the hex column before the line end may be phys_addr or not;`;
    if (inside === nonzero) {
      this.useShape(doubt.withPhys);
      const why = nonzero === 0
        ? `every value in the first ${lines} lines is 0, so no sample gives a record either way`
        : `all ${nonzero} nonzero values in the first ${lines} lines fall inside the pfn ranges of topology ${topo.name}, as physical addresses do`;
      this.notes.push(`${head} read as phys_addr: ${why}. To say so: --perf-fields ${withList}`);
    } else {
      this.useShape(doubt.withoutPhys);
      this.notes.push(
        `${head} read as addr (no phys_addr: samples are skipped as phys_addr_missing): ${nonzero - inside} of ${nonzero} nonzero values in the first ${lines} lines ` +
          `fall outside the pfn ranges of topology ${topo.name}, as user virtual addresses do. If the column is phys_addr, pass --perf-fields ${withList} ` +
          `and a topology that covers the machine (kpromo topo --from-sysfs /sys/devices/system/node --json > box.json)`,
      );
    }
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
    return this.eventOfName(b.toString('utf8', s.eventStart, s.eventEnd));
  }

  /** The entry of event `name` in `seen`, added if new. */
  private eventOfName(name: string): { bytes: Buffer; name: string; accepted: boolean; samples: number } {
    for (const ev of this.seen) if (ev.name === name) return ev;
    const ev = { bytes: Buffer.from(name, 'utf8'), name, accepted: this.accepts(name), samples: 0 };
    this.seen.push(ev);
    return ev;
  }

  private processWith(ls: LineShape, b: Buffer, from: number, to: number, no: number): void {
    const c0 = b[from];
    if (to === from || c0 === 35 /* # */) {
      this.nonSample++;
      return;
    }
    if (c0 === 9 /* \t */) {
      this.bad(b, from, to, no, '', 'callchain frame line; run perf script with -G (--hide-call-graph)', -1);
      return;
    }
    const s = this.s;
    const st = parsePerfHead(b, from, to, ls, s);
    if (st === PERF_BAD) {
      if (b.toString('utf8', from, to).trim() === '') this.nonSample++;
      else this.bad(b, from, to, no, s.field, s.reason, s.at);
      return;
    }
    if (st === PERF_NON_SAMPLE) {
      this.nonSample++;
      return;
    }
    if (this.orderLeft !== 0) this.checkOrder(b, from, to, no);
    const ev = this.eventOf(b);
    if (!ev.accepted) {
      this.samples++;
      ev.samples++;
      this.skipped.other_event++;
      return;
    }
    if (parsePerfRest(b, from, to, ls, s) === PERF_BAD) {
      this.bad(b, from, to, no, s.field, s.reason, s.at);
      return;
    }
    if (this.fs !== null && ls === this.ls) this.fastEv = ev;
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
        this.bad(b, from, to, no, 'cpu', 'no [cpu] on this line, needed by --nid cpu', s.timeStart);
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
      this.bad(b, from, to, no, 'time', 'time is too large: jiffies would reach 2^53', s.timeStart);
      return;
    }
    this.records++;
    this.sink.record_access(Math.floor(s.physAddr / this.pageSize), nid, SRC_HWHINTS, time);
  }

  /**
   * The time order of the first samples of a dump that starts at time 0 (ORDER_CHECKED_SAMPLES): `--deltatime` output
   * (each sample's time since the one before) is refused, it holds no sample times; `--reltime` goes forward and is
   * read. Other dumps are not checked: like CSV times, perf times need not be in order (passes run on the running
   * maximum of record times).
   */
  private checkOrder(b: Buffer, from: number, to: number, no: number): void {
    const s = this.s;
    const ns = s.fracDigits === 6 ? s.frac * 1000 : s.frac;
    if (this.orderLeft < 0) this.orderLeft = s.sec === 0 && s.frac === 0 ? ORDER_CHECKED_SAMPLES : 0;
    else if (s.sec < this.orderSec || (s.sec === this.orderSec && ns < this.orderNs)) {
      const t = (sec: number, n: number): string => `${sec}.${String(n).padStart(9, '0').slice(0, s.fracDigits)}`;
      throw new TraceError(
        { file: this.file, line: no, column: charColumn(b, from, s.timeStart), field: 'time', text: quote(b, from, to) },
        `time ${t(s.sec, ns)} comes before the sample before's ${t(this.orderSec, this.orderNs)} in a dump whose first sample is at time 0: ` +
          'this is perf script --deltatime output (each time is the time since the sample before, not the sample time); run perf script without --deltatime (--reltime is fine)',
      );
    } else this.orderLeft--;
    this.orderSec = s.sec;
    this.orderNs = ns;
  }

  /** A bad line: its error, or counted and skipped; `at` is where the bad field starts in b (-1: the line as a whole). */
  private bad(b: Buffer, from: number, to: number, no: number, field: PerfField | '', reason: string, at: number): void {
    const text = quote(b, from, to);
    const column = charColumn(b, from, at);
    const err = new TraceError(field === '' ? { file: this.file, line: no, column, text } : { file: this.file, line: no, column, field, text }, reason);
    this.skip(err, field === '' ? { line: no, text, reason } : { line: no, text, reason, field });
  }

  /** A bad line's error: thrown, or with skipBad counted and skipped (`skipped` is its entry in firstBad). */
  private skip(err: TraceError, skipped: PerfBadLine): void {
    if (!this.skipBad) throw err;
    this.skipped.bad_line++;
    if (this.firstBad.length < FIRST_BAD_KEPT) this.firstBad.push(skipped);
    this.onBad?.(err);
  }
}

/**
 * The 1-based character column of offset `at` of the line that starts at `from` (0 when `at` is -1), in characters
 * as the quoted text shows them (a command name may hold multi-byte UTF-8), the same however the line was parsed.
 */
export function charColumn(b: Uint8Array, from: number, at: number): number {
  if (at < from) return 0;
  return Buffer.from(b.buffer, b.byteOffset + from, at - from).toString('utf8').length + 1;
}

/** The head probes of detection with the cpu field, and with the cpu and misc fields (see probe()). */
const HEAD_PROBE_CPU: LineShape = { ...HEAD_PROBE, cpu: PRESENT };
const HEAD_PROBE_MISC: LineShape = { ...HEAD_PROBE, cpu: PRESENT, misc: true };

/**
 * True when b[from, to) (`[cpu] ` up to the time) holds misc letters after the `]` (perf's misc field: K U H G g M E
 * S p, padded to 6 columns). misc with no letter prints spaces only, as a line without it: such a line says nothing.
 */
function miscLetters(b: Uint8Array, from: number, to: number): boolean {
  let i = from;
  while (i < to && b[i] !== 93 /* ] */) i++;
  i++;
  while (i < to && b[i] === 32) i++;
  const t = i;
  while (i < to && 'KUHGgMESp'.includes(String.fromCharCode(b[i]!))) i++;
  if (i === t) return false;
  while (i < to && b[i] === 32) i++;
  return i === to;
}

/** Is `pfn` inside one of the topology's pfn ranges? */
function inRanges(topo: Topology, pfn: number): boolean {
  for (const n of topo.nodes) for (const r of n.pfn_ranges) if (pfn >= r.start && pfn < r.end) return true;
  return false;
}

/**
 * The text of b[s, e) for a message: decoded as UTF-8, cut to QUOTE_CHARS characters with the full
 * length said, so binary or huge input is never echoed whole (TraceError escapes control bytes).
 */
export function quote(b: Uint8Array, s: number, e: number): string {
  const buf = Buffer.from(b.buffer, b.byteOffset + s, Math.min(e - s, QUOTE_CHARS * 4, b.length - s));
  // DEL and C1 controls (0x9b is a terminal's CSI) are not escaped by JSON quoting: escape them here.
  const text = buf.toString('utf8').replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16)}`);
  if (e - s <= QUOTE_CHARS && text.length <= QUOTE_CHARS) return text;
  return `${text.slice(0, QUOTE_CHARS)}... (${e - s} bytes)`;
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
