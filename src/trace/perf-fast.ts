/**
 * Byte-level fast path of the perf reader (the model is fast.ts): for the common shape it reads a
 * whole sample line, maps it and hands the record to the sink with no string, object or call per
 * line. It takes only lines it is sure of: anything else (a comment, a `PERF_RECORD_*` line,
 * another event, a malformed line, a time too large, a line over the cap) stops it at that line's
 * start, and the reader parses that one line with the general parser (perf-line.ts), which decides
 * and reports as before; then the fast path goes on. So the two paths cannot disagree on anything
 * but speed; test/trace/perf-fast.test.ts checks it on real and generated lines.
 */
import type { AccessSink } from '../engine/types.js';
import { ABSENT, PRESENT, type LineShape } from './perf-line.js';
import { initialJiffies } from './perf-map.js';
import { hexLead4, hexTrail4, hexValue4 } from './swar.js';
import { MAX_LINE_BYTES } from './tracefile.js';

const NL = 10;
const CR = 13;
const TAB = 9;
const SP = 32;
const HASH = 35;
const DOT = 46;
const COLON = 58;
const LBRACKET = 91;
const RBRACKET = 93;
const UPPER_P = 80;
/** Four spaces as one little-endian 32-bit load. */
const SPACES4 = 0x20202020;
/** Hex digit value of a byte (perf prints lower case only), -1 for any other byte. */
const HEX = new Int8Array(256).fill(-1);
for (let c = 48; c <= 57; c++) HEX[c] = c - 48;
for (let c = 97; c <= 102; c++) HEX[c] = c - 87;
/** Hex digits of a phys_addr the fast path reads (13 digits < 2^52: exact in one backward pass). */
const MAX_PHYS_DIGITS = 13;

/** What the fast path needs, fixed once the shape is known. */
export interface FastShape {
  /** cpu, period and event: 0 never printed, 1 always printed (MAYBE shapes do not get a fast path). */
  readonly cpu: number;
  readonly period: number;
  readonly event: number;
  /** Leading bare-hex fields to check (addr, data_src), 0 to 2. */
  readonly leadingHex: number;
  /** 1: phys_addr always printed, 0: never. */
  readonly phys: number;
  /** `--nid cpu`: node by CPU; else the fixed nid (-1 for none). */
  readonly byCpu: boolean;
  readonly fixedNid: number;
  readonly cpuNode: Int32Array;
  readonly hz: number;
  readonly pageSize: number;
}

/** The fast path for a compiled shape, or null when the shape has optional or rare parts (misc, page sizes, ipc). */
export function fastShape(ls: LineShape, nid: 'cpu' | 'none' | number, cpuNode: Int32Array, hz: number, pageSize: number): FastShape | null {
  const sure = (p: number): boolean => p === ABSENT || p === PRESENT;
  if (ls.misc || ls.pageSizes > 0 || ls.ipc) return null;
  if (!sure(ls.cpu) || !sure(ls.period) || !sure(ls.event) || !sure(ls.phys)) return null;
  if (nid === 'cpu' && ls.cpu !== PRESENT) return null;
  return {
    cpu: ls.cpu === PRESENT ? 1 : 0,
    period: ls.period === PRESENT ? 1 : 0,
    event: ls.event === PRESENT ? 1 : 0,
    leadingHex: ls.leadingHex.length,
    phys: ls.phys === PRESENT ? 1 : 0,
    byCpu: nid === 'cpu',
    fixedNid: nid === 'cpu' || nid === 'none' ? -1 : nid,
    cpuNode,
    hz,
    pageSize,
  };
}

/** Outputs of scanPerf (module variables need no type feedback, as in fast.ts). */
export let fastLines = 0;
export let fastRecords = 0;
/** Samples of the accepted event taken (records and skipped ones). */
export let fastSamples = 0;
export let fastZero = 0;
export let fastMissing = 0;
export let fastNoCpu = 0;

/**
 * Reads whole lines of buf[pos, end) (buf[end - 1] is LF) while they are sample lines of the event
 * `ev` (empty when the shape prints no event) that need nothing but this path. Returns the offset
 * of the first line it did not take (end when it took all); the counters above say what it took.
 */
export function scanPerf(buf: Buffer, pos: number, end: number, fs: FastShape, ev: Uint8Array, sink: AccessSink): number {
  let lines = 0;
  let records = 0;
  let samples = 0;
  let zero = 0;
  let missing = 0;
  let noCpu = 0;
  const evLen = ev.length;
  // The event name as little-endian 32-bit words (its whole words; the rest is compared byte by byte).
  const evWords = new Int32Array(evLen >> 2);
  for (let i = 0; i < evWords.length; i++) evWords[i] = ev[4 * i]! | (ev[4 * i + 1]! << 8) | (ev[4 * i + 2]! << 16) | (ev[4 * i + 3]! << 24);
  const evWhole = evWords.length * 4;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const pageSize = fs.pageSize;
  const hz = fs.hz;
  const cpuNode = fs.cpuNode;
  const hasCpu = fs.cpu === 1;
  const hasPeriod = fs.period === 1;
  const hasEvent = fs.event === 1;
  const leadingHex = fs.leadingHex;
  const hasPhys = fs.phys === 1;
  const byCpu = fs.byCpu;
  const fixedNid = fs.fixedNid;
  // perfTimeToJiffies() for seconds below secLimit, inlined.
  const base = initialJiffies(hz);
  const secLimit = (Number.MAX_SAFE_INTEGER - base - hz) / hz;
  let ls = pos;
  // Native indexOf finds the line end and the colons: touching every byte in JS costs more than the
  // rest of the line's work (the middle fields are never looked at).
  line: while (ls < end) {
    const c0 = buf[ls]!;
    if (c0 === HASH || c0 === TAB || c0 === NL) break;
    const nl = buf.indexOf(NL, ls);
    if (nl - ls > MAX_LINE_BYTES) break;
    // The time token: the first `": "` preceded by `<space or line start>S.FFFFFF` (6 or 9 digits).
    let k = ls;
    let sec = 0;
    let frac = 0;
    let fd = 0;
    let timeStart = 0;
    for (;;) {
      k = buf.indexOf(COLON, k + 1);
      if (k < 0 || k >= nl) break line;
      if (buf[k + 1] !== SP) continue;
      // `.` then exactly 6 or 9 digits before the colon (a longer run of digits is no time).
      let dot = k - 7;
      if (dot <= ls || buf[dot] !== DOT) {
        dot = k - 10;
        if (dot <= ls || buf[dot] !== DOT) continue;
      }
      frac = 0;
      let i = dot + 1;
      for (; i < k; i++) {
        const d = buf[i]! - 48;
        if (d >>> 0 >= 10) break;
        frac = frac * 10 + d;
      }
      if (i !== k) continue;
      fd = k - 1 - dot;
      let j = dot - 1;
      sec = 0;
      let m = 1;
      while (j >= ls) {
        const d = buf[j]! - 48;
        if (d >>> 0 >= 10) break;
        sec += d * m;
        m *= 10;
        j--;
      }
      const sd = dot - 1 - j;
      if (sd >= 1 && sd <= 15 && (j < ls || buf[j] === SP)) {
        timeStart = j + 1;
        break;
      }
    }
    let cpu = -1;
    if (hasCpu) {
      let j = timeStart - 1;
      while (j >= ls && buf[j] === SP) j--;
      if (j < ls + 2 || buf[j] !== RBRACKET) break;
      let i = j - 1;
      cpu = 0;
      let m = 1;
      while (i >= ls) {
        const d = buf[i]! - 48;
        if (d >>> 0 >= 10) break;
        cpu += d * m;
        m *= 10;
        i--;
      }
      if (i < ls || i === j - 1 || j - 1 - i > 7 || buf[i] !== LBRACKET || (i > ls && buf[i - 1] !== SP)) break;
    }
    let p = k + 2;
    while (buf[p] === SP) p++;
    if (buf[p] === UPPER_P) break; // maybe PERF_RECORD_*
    if (hasPeriod) {
      const p0 = p;
      while (buf[p]! - 48 < 10 && buf[p]! >= 48) p++;
      const c = buf[p];
      if (p === p0 || (c !== SP && c !== TAB)) break;
      while (buf[p] === SP) p++;
    }
    if (hasEvent) {
      if (p + evLen >= nl) break; // no room for the name and its colon: the general parser decides
      for (let i = 0; i < evWhole; i += 4) if (view.getInt32(p + i, true) !== evWords[i >> 2]) break line;
      for (let i = evWhole; i < evLen; i++) if (buf[p + i] !== ev[i]) break line;
      p += evLen;
      const c = buf[p + 1];
      if (buf[p] !== COLON || (c !== SP && c !== TAB && c !== NL && (c !== CR || buf[p + 2] !== NL))) break;
      p++;
    }
    let e = nl;
    if (e > p && buf[e - 1] === CR) e--;
    for (let f = 0; f < leadingHex; f++) {
      while (p + 4 <= e && view.getInt32(p, true) === SPACES4) p += 4;
      while (p < e && buf[p] === SP) p++;
      const t0 = p;
      // Four digits a load while whole words fit before the line end, then byte by byte.
      for (;;) {
        if (p + 4 > e) break;
        const k = hexLead4(view.getInt32(p, true));
        p += k;
        if (k < 4) break;
      }
      while (HEX[buf[p]!]! >= 0) p++;
      const c = buf[p];
      if (p === t0 || p - t0 > 16 || (p < e && c !== SP && c !== TAB)) break line;
    }
    let phys = -1;
    if (hasPhys) {
      let q = e;
      while (q > p) {
        const c = buf[q - 1]!;
        if (c !== SP && c !== CR && c !== TAB) break;
        q--;
      }
      // Read backwards; a longer run of hex digits (or a value of 2^52 or more) is left to the general parser.
      let h = q;
      phys = 0;
      let m = 1;
      const stop = q - MAX_PHYS_DIGITS > p ? q - MAX_PHYS_DIGITS : p;
      // Four digits a load (from the end) while whole words fit in [stop, q), then byte by byte.
      while (h - 4 >= stop) {
        const w = view.getInt32(h - 4, true);
        const k = hexTrail4(w);
        if (k === 0) break;
        const scale = k === 4 ? 65536 : 1 << (4 * k);
        phys += (hexValue4(w) & (scale - 1)) * m;
        m *= scale;
        h -= k;
        if (k < 4) break;
      }
      while (h > stop) {
        const d = HEX[buf[h - 1]!]!;
        if (d < 0) break;
        phys += d * m;
        m *= 16;
        h--;
      }
      if (h === q || buf[h - 1] !== SP) break;
    }
    let nid = fixedNid;
    if (phys > 0 && byCpu) nid = cpu < cpuNode.length ? cpuNode[cpu]! : -1;
    let time = 0;
    if (phys > 0 && (nid >= 0 || !byCpu)) {
      if (sec > secLimit) break; // perfTimeToJiffies() would say -1: the general parser reports it
      const d = fd === 6 ? 1e6 : 1e9;
      const a = frac * hz;
      let q = Math.floor(a / d);
      if (q * d > a) q--;
      else if ((q + 1) * d <= a) q++;
      time = base + sec * hz + q;
    }
    // Taken: count it.
    lines++;
    samples++;
    ls = nl + 1;
    if (phys < 0) missing++;
    else if (phys === 0) zero++;
    else if (byCpu && nid < 0) noCpu++;
    else {
      records++;
      sink.record_access(Math.floor(phys / pageSize), nid, 0, time);
    }
  }
  fastLines = lines;
  fastRecords = records;
  fastSamples = samples;
  fastZero = zero;
  fastMissing = missing;
  fastNoCpu = noCpu;
  return ls;
}
