/**
 * One `perf script` sample line -> cpu, time, event and phys_addr, for a known shape.
 *
 * The line is read from anchors, not columns: comm is `%16s` but may hold spaces (or be wider when
 * callchains are printed), pid/tid went from `%5d` to `%7d` in 2023, the event column is padded to
 * the longest event name, and data_src's decode text has spaces and growing padding. So:
 * - the time token `S.UUUUUU: ` / `S.NNNNNNNNN: ` (perf_sample__fprintf_start(): `"%12s: "` or
 *   `"%5lu.%09llu: "`) is found first; `[cpu]` (`"[%03d] "`) is the token right before it;
 * - period (`"%10" PRIu64 " "`) and event (`"%*s: "`) are the tokens right after it;
 * - phys_addr (`"%16" PRIx64`, printed after ip/sym/dso, before the page sizes) is read from the end;
 * - what lies between (addr, data_src, weight, ip, sym, dso) is not needed, only addr/data_src's raw
 *   hex are checked when the shape says they come first.
 * No regular expressions on this path.
 */
import type { PerfField, PerfShape } from './perf-fields.js';

/** A field is never printed. */
export const ABSENT = 0;
/** A field is printed on every sample line. */
export const PRESENT = 1;
/** A field may be missing from a line (perf drops default fields the samples lack). */
export const MAYBE = 2;
/** Whether a field is printed: ABSENT, PRESENT or MAYBE. */
export type Presence = 0 | 1 | 2;

/** A PerfShape compiled to what the line parser needs. */
export interface LineShape {
  readonly cpu: Presence;
  /** `-F misc`: `K`/`U`/... letters padded to 6 columns between cpu and time. */
  readonly misc: boolean;
  readonly period: Presence;
  readonly event: Presence;
  readonly phys: Presence;
  /** data_page_size / code_page_size tokens printed after phys_addr (`" %s"` each). */
  readonly pageSizes: number;
  /** `-F ipc`: `" \t IPC: ..."` after the page sizes. */
  readonly ipc: boolean;
  /** Leading middle fields checked to be bare hex: addr and/or data_src, in that order. */
  readonly leadingHex: readonly PerfField[];
  /** 1-based position of each printed field in the line, for error columns. */
  readonly column: ReadonlyMap<PerfField, number>;
}

/** What parsePerfLine() found (one object reused for every line). */
export interface PerfSample {
  /** CPU number, -1 when the line has no `[cpu]`. */
  cpu: number;
  /** Whole seconds of the time field. */
  sec: number;
  /** Fraction digits of the time field as an integer (`000123` -> 123). */
  frac: number;
  /** 6 (usec, default) or 9 (`--ns`). */
  fracDigits: number;
  /** Index of the time text in the line (for messages). */
  timeStart: number;
  /** Event name without the trailing `:` and padding; `''` when not printed. */
  event: string;
  /** Index where the fields after the event (or time/period) begin. */
  rest: number;
  /** Where parsePerfRest() starts scanning (set by parsePerfHead()). */
  restScan: number;
  /** Physical address (< 2^53), or -1 when the line has none. */
  physAddr: number;
  /** Set when the result is PERF_BAD. */
  reason: string;
  field: PerfField | '';
}

/** parsePerfLine(): a sample line. */
export const PERF_SAMPLE = 0;
/** parsePerfLine(): a non-sample record (`PERF_RECORD_MMAP2`, ... printed with --show-*-events). */
export const PERF_NON_SAMPLE = 1;
/** parsePerfLine(): malformed; see out.reason / out.field. */
export const PERF_BAD = 2;

/** A fresh PerfSample to pass to parsePerfLine(). */
export function newPerfSample(): PerfSample {
  return { cpu: -1, sec: 0, frac: 0, fracDigits: 0, timeStart: 0, event: '', rest: 0, restScan: 0, physAddr: -1, reason: '', field: '' };
}

function presence(shape: PerfShape, f: PerfField): Presence {
  if (!shape.printed.includes(f)) return ABSENT;
  return shape.optional.has(f) ? MAYBE : PRESENT;
}

/** Compiles a shape for parsePerfLine(). */
export function compileShape(shape: PerfShape): LineShape {
  const column = new Map<PerfField, number>();
  shape.printed.forEach((f, i) => column.set(f, i + 1));
  // addr/data_src are checked only when nothing that prints before them (flags, trace, synth) is
  // in the shape and they are always printed.
  const leadingHex: PerfField[] = [];
  const before = shape.printed.some((f) => f === 'flags' || f === 'trace' || f === 'synth');
  if (!before) {
    for (const f of ['addr', 'data_src'] as const) {
      const p = presence(shape, f);
      if (p === PRESENT) leadingHex.push(f);
      else if (p === MAYBE) break;
    }
  }
  return {
    cpu: presence(shape, 'cpu'),
    misc: shape.printed.includes('misc'),
    period: presence(shape, 'period'),
    event: presence(shape, 'event'),
    phys: presence(shape, 'phys_addr'),
    pageSizes: (shape.printed.includes('data_page_size') ? 1 : 0) + (shape.printed.includes('code_page_size') ? 1 : 0),
    ipc: shape.printed.includes('ipc'),
    leadingHex,
    column,
  };
}

/** The head-only shape used while detecting: cpu, period and event may each be there or not. */
export const HEAD_PROBE: LineShape = {
  cpu: MAYBE, misc: false, period: MAYBE, event: MAYBE, phys: ABSENT, pageSizes: 0, ipc: false,
  leadingHex: [], column: new Map(),
};

const SP = 32;
const TAB = 9;
const CR = 13;
const DOT = 46;
const COLON = 58;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** perf prints hex with PRIx64: lower case only. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function bad(out: PerfSample, field: PerfField | '', reason: string): number {
  out.reason = reason;
  out.field = field;
  return PERF_BAD;
}

/** Position after the last char of the token starting at i (next space/tab or end). */
function tokenEnd(line: string, i: number): number {
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === SP || c === TAB) break;
    i++;
  }
  return i;
}

function skipSpaces(line: string, i: number): number {
  const n = line.length;
  while (i < n && line.charCodeAt(i) === SP) i++;
  return i;
}

/**
 * Finds the time token; sets out.sec/frac/fracDigits/timeStart and returns the index just after
 * its `": "`, or -1. Several `": "` may occur before it (a comm may contain one): the first one
 * preceded by `<space or line start>digits.digits{6|9}` is the time.
 */
function findTime(line: string, out: PerfSample): number {
  let k = line.indexOf(': ');
  while (k > 0) {
    let j = k - 1;
    while (j >= 0 && isDigit(line.charCodeAt(j))) j--;
    const fd = k - 1 - j;
    if ((fd === 6 || fd === 9) && j > 0 && line.charCodeAt(j) === DOT) {
      const dot = j;
      j--;
      while (j >= 0 && isDigit(line.charCodeAt(j))) j--;
      const sd = dot - 1 - j;
      if (sd >= 1 && sd <= 15 && (j < 0 || line.charCodeAt(j) === SP)) {
        let sec = 0;
        for (let i = j + 1; i < dot; i++) sec = sec * 10 + (line.charCodeAt(i) - 48);
        let frac = 0;
        for (let i = dot + 1; i < k; i++) frac = frac * 10 + (line.charCodeAt(i) - 48);
        out.sec = sec;
        out.frac = frac;
        out.fracDigits = fd;
        out.timeStart = j + 1;
        return k + 2;
      }
    }
    k = line.indexOf(': ', k + 1);
  }
  return -1;
}

/** Reads `[NNN]` ending just before `end` (spaces and, with misc, its letters skipped); -1 if none. */
function findCpu(line: string, end: number, misc: boolean): number {
  let j = end - 1;
  while (j >= 0 && line.charCodeAt(j) === SP) j--;
  if (misc) {
    // misc: letters K U H G g M E S p, then padding (builtin-script.c: fprintf(fp, "%*s", 6 - ret, " ")).
    while (j >= 0 && line.charCodeAt(j) !== SP && line.charCodeAt(j) !== 93) j--;
    while (j >= 0 && line.charCodeAt(j) === SP) j--;
  }
  if (j < 2 || line.charCodeAt(j) !== 93 /* ] */) return -1;
  let i = j - 1;
  while (i >= 0 && isDigit(line.charCodeAt(i))) i--;
  if (i < 0 || i === j - 1 || j - 1 - i > 7 || line.charCodeAt(i) !== 91 /* [ */) return -1;
  if (i > 0 && line.charCodeAt(i - 1) !== SP) return -1;
  let cpu = 0;
  for (let d = i + 1; d < j; d++) cpu = cpu * 10 + (line.charCodeAt(d) - 48);
  return cpu;
}

/**
 * A data_page_size / code_page_size token: get_page_size_name() prints `N/A` for 0, else
 * unit_number__scnprintf(): digits and one unit letter of "BKMGTPEZY" (`4K`, `2M`, `1024B`).
 */
function isPageSizeToken(line: string, s: number, e: number): boolean {
  if (e - s === 3 && line.startsWith('N/A', s)) return true;
  let i = s;
  while (i < e - 1 && isDigit(line.charCodeAt(i))) i++;
  if (i === s || i !== e - 1) return false;
  return 'BKMGTPEZY'.includes(line[i]!);
}

/**
 * Parses one line of `perf script` output with a known shape into `out`. Returns PERF_SAMPLE,
 * PERF_NON_SAMPLE (a `PERF_RECORD_*` line) or PERF_BAD (out.reason, out.field say why).
 * The line must not contain its `\n`; a trailing `\r` is ignored.
 */
export function parsePerfLine(line: string, shape: LineShape, out: PerfSample): number {
  const st = parsePerfHead(line, shape, out);
  return st === PERF_SAMPLE ? parsePerfRest(line, shape, out) : st;
}

/**
 * First half of parsePerfLine(): time, cpu, period and event. A reader filters events here, before
 * parsePerfRest(), because lines of other event types print other fields (perf's defaults differ per
 * event type).
 */
export function parsePerfHead(line: string, shape: LineShape, out: PerfSample): number {
  out.event = '';
  out.physAddr = -1;
  out.cpu = -1;
  const p0 = findTime(line, out);
  if (p0 < 0) return bad(out, 'time', 'no time field (S.UUUUUU: or S.NNNNNNNNN:)');
  if (shape.cpu !== ABSENT) {
    out.cpu = findCpu(line, out.timeStart, shape.misc);
    if (out.cpu < 0 && shape.cpu === PRESENT) return bad(out, 'cpu', 'no [cpu] before the time');
  }
  let p = skipSpaces(line, p0);
  if (line.startsWith('PERF_RECORD_', p)) return PERF_NON_SAMPLE;
  const n = line.length;
  // Where the fields after time/period/event begin: right after the one space that ends each.
  let rest = p0;
  if (shape.period !== ABSENT) {
    const e = tokenEnd(line, p);
    let digits = e > p;
    for (let i = p; digits && i < e; i++) digits = isDigit(line.charCodeAt(i));
    if (shape.period === PRESENT) {
      if (!digits) return bad(out, 'period', 'expected a period (decimal) after the time');
      rest = Math.min(e + 1, n);
      p = skipSpaces(line, e);
    } else if (digits && shape.event !== ABSENT) {
      // An optional period is taken only when an event token (`name:`) follows it.
      const q = skipSpaces(line, e);
      const qe = tokenEnd(line, q);
      if (qe > q && line.charCodeAt(qe - 1) === COLON) {
        rest = Math.min(e + 1, n);
        p = q;
      }
    }
  }
  if (shape.event !== ABSENT) {
    const e = tokenEnd(line, p);
    if (e > p + 1 && line.charCodeAt(e - 1) === COLON) {
      out.event = line.slice(p, e - 1);
      rest = Math.min(e + 1, n);
      p = e;
    } else if (shape.event === PRESENT) {
      return bad(out, 'event', 'expected an event name ending in ":"');
    }
  }
  out.rest = rest;
  out.restScan = p;
  return PERF_SAMPLE;
}

/** Second half of parsePerfLine(): checks addr/data_src when they lead, reads phys_addr from the end. */
export function parsePerfRest(line: string, shape: LineShape, out: PerfSample): number {
  let p = out.restScan;
  const n = line.length;
  for (const f of shape.leadingHex) {
    const s = skipSpaces(line, p);
    const e = tokenEnd(line, s);
    if (e === s || e - s > 16) return bad(out, f, `expected ${f} as bare hex`);
    for (let i = s; i < e; i++) if (hexValue(line.charCodeAt(i)) < 0) return bad(out, f, `expected ${f} as bare hex`);
    p = e;
  }
  if (shape.phys === ABSENT) return PERF_SAMPLE;

  let e = n;
  while (e > p) {
    const c = line.charCodeAt(e - 1);
    if (c !== SP && c !== CR && c !== TAB) break;
    e--;
  }
  if (shape.ipc) {
    const k = line.lastIndexOf(' \t IPC: ', e);
    if (k >= p) {
      e = k;
      while (e > p && line.charCodeAt(e - 1) === SP) e--;
    }
  }
  for (let t = 0; t < shape.pageSizes; t++) {
    const s = line.lastIndexOf(' ', e - 1) + 1;
    if (s <= p || !isPageSizeToken(line, s, e)) break;
    e = s - 1;
  }
  let h = e;
  while (h > p && hexValue(line.charCodeAt(h - 1)) >= 0) h--;
  let len = e - h;
  if (len > 16) { h = e - 16; len = 16; }
  if (len === 0 || (len < 16 && line.charCodeAt(h - 1) !== SP)) {
    if (shape.phys === PRESENT) return bad(out, 'phys_addr', 'expected phys_addr (bare hex) at the end of the line');
    return PERF_SAMPLE;
  }
  let v = 0;
  for (let i = h; i < e; i++) {
    v = v * 16 + hexValue(line.charCodeAt(i));
    if (v > Number.MAX_SAFE_INTEGER) return bad(out, 'phys_addr', 'phys_addr is 2^53 or more');
  }
  out.physAddr = v;
  return PERF_SAMPLE;
}
