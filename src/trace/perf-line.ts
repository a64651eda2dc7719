/**
 * One `perf script` sample line -> cpu, time, event and phys_addr, for a known shape.
 *
 * The line is read from anchors, not columns: comm is `%16s` but may hold spaces (or be wider when
 * callchains are printed), pid/tid went from `%5d` to `%7d` in 2023, the event column is padded to
 * the longest event name, and data_src's decode text has spaces and growing padding. So:
 * - the time token `S.UUUUUU: ` / `S.NNNNNNNNN: ` (perf_sample__fprintf_start(): `"%12s: "` or
 *   `"%5lu.%09llu: "`) is found first; `[cpu]` (`"[%03d] "`) is the token right before it, and pid/tid
 *   (`"%7d/%-7d "`) the token before that, when the shape prints them; a time token without them (a command name
 *   may be `1.000001: `) is passed over for the next one;
 * - period (`"%10" PRIu64 " "`) and event (`"%*s: "`) are the tokens right after it;
 * - phys_addr (`"%16" PRIx64`, printed after ip/sym/dso, before the page sizes) is read from the end;
 * - what lies between (addr, data_src, weight, ip, sym, dso) is not needed, only addr/data_src's raw
 *   hex are checked when the shape says they come first.
 * It works on bytes of the input buffer (no decoding, no string per line): only the head and the
 * last few tokens of a line are looked at, the middle is skipped.
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
  /**
   * The pid/tid token before the cpu (or the time) every line must have: 2 `pid/tid` (`"%7d/%-7d "`), 1 one number
   * (pid or tid alone, `"%7d "`), 0 none or not checked (not in the list, or a default field perf may drop).
   */
  readonly pidTid: 0 | 1 | 2;
  readonly period: Presence;
  readonly event: Presence;
  readonly phys: Presence;
  /** data_page_size / code_page_size tokens printed after phys_addr (`" %s"` each). */
  readonly pageSizes: number;
  /** `-F ipc`: `" \t IPC: ..."` after the page sizes. */
  readonly ipc: boolean;
  /** Leading middle fields checked to be bare hex: addr and/or data_src, in that order. */
  readonly leadingHex: readonly PerfField[];
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
  /** Offset of the time text (for messages). */
  timeStart: number;
  /** Event name without the trailing `:` and padding; `''` when not printed (set by parsePerfLine(); the
   * byte parser sets only eventStart/eventEnd). */
  event: string;
  /** Byte range of the event name in the buffer (eventStart === eventEnd: not printed). */
  eventStart: number;
  eventEnd: number;
  /** Index where the fields after the event (or time/period) begin. */
  rest: number;
  /** Where parsePerfRest() starts scanning (set by parsePerfHead()). */
  restScan: number;
  /** Physical address (< 2^53), or -1 when the line has none. */
  physAddr: number;
  /** Set when the result is PERF_BAD: why, the field, and the offset in the buffer where the bad text starts (-1: none). */
  reason: string;
  field: PerfField | '';
  at: number;
}

/** parsePerfLine(): a sample line. */
export const PERF_SAMPLE = 0;
/** parsePerfLine(): a non-sample record (`PERF_RECORD_MMAP2`, ... printed with --show-*-events). */
export const PERF_NON_SAMPLE = 1;
/** parsePerfLine(): malformed; see out.reason / out.field. */
export const PERF_BAD = 2;

/** A fresh PerfSample to pass to parsePerfLine(). */
export function newPerfSample(): PerfSample {
  return { cpu: -1, sec: 0, frac: 0, fracDigits: 0, timeStart: 0, event: '', eventStart: 0, eventEnd: 0, rest: 0, restScan: 0, physAddr: -1, reason: '', field: '', at: -1 };
}

function presence(shape: PerfShape, f: PerfField): Presence {
  if (!shape.printed.includes(f)) return ABSENT;
  return shape.optional.has(f) ? MAYBE : PRESENT;
}

/** Compiles a shape for parsePerfLine(). */
export function compileShape(shape: PerfShape): LineShape {
  const pid = presence(shape, 'pid');
  const tid = presence(shape, 'tid');
  const pidTid = pid === MAYBE || tid === MAYBE ? 0 : pid === PRESENT && tid === PRESENT ? 2 : pid === PRESENT || tid === PRESENT ? 1 : 0;
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
    pidTid,
    period: presence(shape, 'period'),
    event: presence(shape, 'event'),
    phys: presence(shape, 'phys_addr'),
    pageSizes: (shape.printed.includes('data_page_size') ? 1 : 0) + (shape.printed.includes('code_page_size') ? 1 : 0),
    ipc: shape.printed.includes('ipc'),
    leadingHex,
  };
}

/** The head-only shape used while detecting: cpu, period and event may each be there or not. */
export const HEAD_PROBE: LineShape = {
  cpu: MAYBE, misc: false, pidTid: 0, period: MAYBE, event: MAYBE, phys: ABSENT, pageSizes: 0, ipc: false,
  leadingHex: [],
};

const SP = 32;
const TAB = 9;
const CR = 13;
const DOT = 46;
const COLON = 58;
const PERF_RECORD = Buffer.from('PERF_RECORD_');
const IPC = Buffer.from(' \t IPC: ');

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** perf prints hex with PRIx64: lower case only. */
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function bad(out: PerfSample, field: PerfField | '', reason: string, at: number): number {
  out.reason = reason;
  out.field = field;
  out.at = at;
  return PERF_BAD;
}

/** End of the token starting at i (next space/tab, or e). */
function tokenEnd(b: Uint8Array, i: number, e: number): number {
  while (i < e) {
    const c = b[i]!;
    if (c === SP || c === TAB) break;
    i++;
  }
  return i;
}

function skipSpaces(b: Uint8Array, i: number, e: number): number {
  while (i < e && b[i] === SP) i++;
  return i;
}

/**
 * Finds the time token of the line b[s, e); sets out.sec/frac/fracDigits/timeStart and returns the
 * offset just after its `": "`, or -1. A `": "` may occur before it (a comm may hold one): the first
 * one preceded by `<space or line start>digits.digits{6|9}` is the time.
 */
function findTime(b: Uint8Array, s: number, from: number, e: number, out: PerfSample): number {
  for (let k = Math.max(s + 1, from); k < e - 1; k++) {
    if (b[k] !== COLON || b[k + 1] !== SP) continue;
    let j = k - 1;
    while (j >= s && isDigit(b[j]!)) j--;
    const fd = k - 1 - j;
    if ((fd !== 6 && fd !== 9) || j <= s || b[j] !== DOT) continue;
    const dot = j;
    j--;
    while (j >= s && isDigit(b[j]!)) j--;
    const sd = dot - 1 - j;
    if (sd < 1 || sd > 15 || (j >= s && b[j] !== SP)) continue;
    let sec = 0;
    for (let i = j + 1; i < dot; i++) sec = sec * 10 + (b[i]! - 48);
    let frac = 0;
    for (let i = dot + 1; i < k; i++) frac = frac * 10 + (b[i]! - 48);
    out.sec = sec;
    out.frac = frac;
    out.fracDigits = fd;
    out.timeStart = j + 1;
    return k + 2;
  }
  return -1;
}

/** Where the `[` of the cpu field the last findCpu() read is. */
export let cpuAt = -1;

/** Reads `[NNN]` ending before `end` (spaces and, with misc, its letters skipped); -1 if none. */
export function findCpu(b: Uint8Array, s: number, end: number, misc: boolean): number {
  let j = end - 1;
  while (j >= s && b[j] === SP) j--;
  if (misc) {
    // misc: letters K U H G g M E S p, then padding (builtin-script.c: fprintf(fp, "%*s", 6 - ret, " ")).
    while (j >= s && b[j] !== SP && b[j] !== 93) j--;
    while (j >= s && b[j] === SP) j--;
  }
  if (j < s + 2 || b[j] !== 93 /* ] */) return -1;
  let i = j - 1;
  while (i >= s && isDigit(b[i]!)) i--;
  if (i < s || i === j - 1 || j - 1 - i > 7 || b[i] !== 91 /* [ */) return -1;
  if (i > s && b[i - 1] !== SP) return -1;
  let cpu = 0;
  for (let d = i + 1; d < j; d++) cpu = cpu * 10 + (b[d]! - 48);
  cpuAt = i;
  return cpu;
}

/** Where the pid/tid token the last pidTidBefore() read starts. */
export let pidAt = -1;

/**
 * The pid/tid token ending before `end` (the cpu's `[` or the time), after a space: 2 for `pid/tid`, 1 for one number
 * (perf prints -1 for an unknown one), 0 for none; pidAt gets where it starts.
 */
export function pidTidBefore(b: Uint8Array, s: number, end: number): 0 | 1 | 2 {
  let j = end - 1;
  if (j < s || b[j] !== SP) return 0;
  while (j >= s && b[j] === SP) j--;
  const number = (): boolean => {
    const last = j;
    while (j >= s && isDigit(b[j]!)) j--;
    if (j === last) return false;
    if (j >= s && b[j] === 45 /* - */) j--;
    return true;
  };
  if (!number()) return 0;
  let kind: 1 | 2 = 1;
  if (j >= s && b[j] === 47 /* / */) {
    const slash = j;
    j--;
    if (number()) kind = 2;
    else j = slash;
  }
  if (j >= s && b[j] !== SP) return 0;
  pidAt = j + 1;
  return kind;
}

/** Where the token that ends before `end` (spaces before `end` skipped) starts; -1 when there is none. */
function tokenBefore(b: Uint8Array, s: number, end: number): number {
  let j = end - 1;
  while (j >= s && b[j] === SP) j--;
  if (j < s) return -1;
  while (j >= s && b[j] !== SP && b[j] !== TAB) j--;
  return j + 1;
}

/**
 * Where a malformed time token most likely is, for the error's column: the token that ends in the first `:` after the
 * cpu field (or the line start), when it starts with a digit as a time does; -1 when there is none (no time at all).
 */
function timeGuess(b: Uint8Array, s: number, e: number): number {
  let from = s;
  for (let i = s; i + 1 < e; i++) {
    if (b[i] === 93 /* ] */ && b[i + 1] === SP) {
      from = i + 1;
      break;
    }
  }
  for (let k = from; k < e; k++) {
    if (b[k] === COLON && (k + 1 === e || b[k + 1] === SP)) {
      const t = tokenBefore(b, from, k + 1);
      return t >= 0 && isDigit(b[t]!) ? t : -1;
    }
  }
  return -1;
}

/**
 * A data_page_size / code_page_size token: get_page_size_name() prints `N/A` for 0, else
 * unit_number__scnprintf(): digits and one unit letter of "BKMGTPEZY" (`4K`, `2M`, `1024B`).
 */
function isPageSizeToken(b: Uint8Array, s: number, e: number): boolean {
  if (e - s === 3 && b[s] === 78 && b[s + 1] === 47 && b[s + 2] === 65) return true; // N/A
  let i = s;
  while (i < e - 1 && isDigit(b[i]!)) i++;
  if (i === s || i !== e - 1) return false;
  const u = b[i]!;
  return u === 66 || u === 75 || u === 77 || u === 71 || u === 84 || u === 80 || u === 69 || u === 90 || u === 89;
}

/**
 * Parses one line of `perf script` output with a known shape into `out` (string form, for tests
 * and messages: sets out.event). Returns PERF_SAMPLE, PERF_NON_SAMPLE (a `PERF_RECORD_*` line) or
 * PERF_BAD (out.reason, out.field say why). The line must not contain its `\n`; a trailing `\r` is ignored.
 */
export function parsePerfLine(line: string, shape: LineShape, out: PerfSample): number {
  const b = Buffer.from(line, 'utf8');
  let st = parsePerfHead(b, 0, b.length, shape, out);
  if (st === PERF_SAMPLE) st = parsePerfRest(b, 0, b.length, shape, out);
  out.event = b.toString('utf8', out.eventStart, out.eventEnd);
  return st;
}

/**
 * First half of parsing the line b[s, e): time, cpu, period and event. A reader filters events
 * here, before parsePerfRest(), because lines of other event types print other fields (perf's
 * defaults differ per event type).
 */
export function parsePerfHead(b: Buffer, s: number, e: number, shape: LineShape, out: PerfSample): number {
  out.eventStart = out.eventEnd = s;
  out.physAddr = -1;
  out.cpu = -1;
  // The time token, and before it the cpu and pid/tid the shape prints: a command name may hold a time token of its own
  // (perf prints it verbatim), so a token whose head does not fit is passed over for the next one. The first token's
  // fault is the line's error when none fits.
  let p0 = -1;
  let fault = '';
  let faultField: PerfField | '' = '';
  let faultAt = -1;
  for (let from = s + 1; ; ) {
    const t = findTime(b, s, from, e, out);
    if (t < 0) break;
    from = t - 1;
    // `--show-task-events` & co.: `PERF_RECORD_*` lines print their own head (a pid alone, say).
    const r = skipSpaces(b, t, e);
    if (b[r] === 80 /* P */ && e - r >= PERF_RECORD.length && b.compare(PERF_RECORD, 0, PERF_RECORD.length, r, r + PERF_RECORD.length) === 0) return PERF_NON_SAMPLE;
    let why = '';
    let field: PerfField | '' = '';
    let at = -1;
    let before = out.timeStart;
    if (shape.cpu !== ABSENT) {
      out.cpu = findCpu(b, s, out.timeStart, shape.misc);
      if (out.cpu >= 0) before = cpuAt;
      else if (shape.cpu === PRESENT) {
        why = shape.misc ? 'no [cpu] and misc before the time' : 'no [cpu] before the time';
        field = 'cpu';
        at = tokenBefore(b, s, out.timeStart);
      }
    }
    if (why === '' && shape.pidTid !== 0 && pidTidBefore(b, s, before) !== shape.pidTid) {
      why = shape.pidTid === 2 ? 'expected pid/tid (decimal) before the cpu and time' : 'expected a pid or tid (decimal) before the cpu and time';
      field = shape.pidTid === 2 ? 'pid' : 'tid';
      at = tokenBefore(b, s, before);
    }
    if (why === '') {
      p0 = t;
      break;
    }
    if (fault === '') {
      fault = why;
      faultField = field;
      faultAt = at;
    }
  }
  if (p0 < 0) {
    if (fault !== '') {
      out.cpu = -1;
      return bad(out, faultField, fault, faultAt);
    }
    // `--show-round-events` prints a bare `PERF_RECORD_FINISHED_ROUND` line, with no head and no time.
    const q = skipSpaces(b, s, e);
    if (e - q >= PERF_RECORD.length && b.compare(PERF_RECORD, 0, PERF_RECORD.length, q, q + PERF_RECORD.length) === 0) return PERF_NON_SAMPLE;
    return bad(out, 'time', 'no time field (S.UUUUUU: or S.NNNNNNNNN:); kpromo needs the sample time: keep time in perf script -F', timeGuess(b, s, e));
  }
  let p = skipSpaces(b, p0, e);
  // Where the fields after time/period/event begin: right after the one space that ends each.
  let rest = p0;
  if (shape.period !== ABSENT) {
    const t = tokenEnd(b, p, e);
    let digits = t > p;
    for (let i = p; digits && i < t; i++) digits = isDigit(b[i]!);
    if (shape.period === PRESENT) {
      if (!digits) return bad(out, 'period', 'expected a period (decimal) after the time', p);
      rest = Math.min(t + 1, e);
      p = skipSpaces(b, t, e);
    } else if (digits && shape.event !== ABSENT) {
      // An optional period is taken only when an event token (`name:`) follows it.
      const q = skipSpaces(b, t, e);
      const qe = tokenEnd(b, q, e);
      if (qe > q && b[qe - 1] === COLON) {
        rest = Math.min(t + 1, e);
        p = q;
      }
    }
  }
  if (shape.event !== ABSENT) {
    const t = tokenEnd(b, p, e);
    if (t > p + 1 && b[t - 1] === COLON) {
      out.eventStart = p;
      out.eventEnd = t - 1;
      rest = Math.min(t + 1, e);
      p = t;
    } else if (shape.event === PRESENT) {
      return bad(out, 'event', 'expected an event name ending in ":"', p);
    }
  }
  out.rest = rest;
  out.restScan = p;
  return PERF_SAMPLE;
}

/** Second half: checks addr/data_src when they lead, reads phys_addr from the end of b[s, e). */
export function parsePerfRest(b: Buffer, s: number, e: number, shape: LineShape, out: PerfSample): number {
  let p = out.restScan;
  for (const f of shape.leadingHex) {
    const t0 = skipSpaces(b, p, e);
    const t = tokenEnd(b, t0, e);
    if (t === t0 || t - t0 > 16) return bad(out, f, `expected ${f} as bare hex`, t0);
    for (let i = t0; i < t; i++) if (hexValue(b[i]!) < 0) return bad(out, f, `expected ${f} as bare hex`, t0);
    p = t;
  }
  if (shape.phys === ABSENT) return PERF_SAMPLE;

  let end = e;
  while (end > p) {
    const c = b[end - 1]!;
    if (c !== SP && c !== CR && c !== TAB) break;
    end--;
  }
  if (shape.ipc) {
    const k = b.lastIndexOf(IPC, end - IPC.length);
    if (k >= p && k >= s) {
      end = k;
      while (end > p && b[end - 1] === SP) end--;
    }
  }
  for (let n = 0; n < shape.pageSizes; n++) {
    let t = end - 1;
    while (t >= p && b[t] !== SP) t--;
    if (t < p || !isPageSizeToken(b, t + 1, end)) break;
    end = t;
  }
  let h = end;
  while (h > p && hexValue(b[h - 1]!) >= 0) h--;
  const len = end - h;
  // perf prints phys_addr as %16llx of a u64: more digits are no phys_addr perf wrote (a value of 2^64 or more, or
  // two columns run together, which a phys_addr below 2^53 never does). Never cut to the last 16.
  if (len > 16) return bad(out, 'phys_addr', `phys_addr has ${len} hex digits, more than 64 bits`, h);
  if (len === 0 || (len < 16 && b[h - 1] !== SP)) {
    if (shape.phys === PRESENT) return bad(out, 'phys_addr', 'expected phys_addr (bare hex) at the end of the line', tokenBefore(b, p, end + 1));
    return PERF_SAMPLE;
  }
  let v = 0;
  for (let i = h; i < end; i++) {
    v = v * 16 + hexValue(b[i]!);
    if (v > Number.MAX_SAFE_INTEGER) return bad(out, 'phys_addr', 'phys_addr is 2^53 or more', h);
  }
  out.physAddr = v;
  return PERF_SAMPLE;
}
