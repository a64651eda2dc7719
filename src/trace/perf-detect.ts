/**
 * Detects the `perf script` field list from the first sample lines when `--perf-fields` is not given.
 *
 * Detected shapes (what the README promises):
 * - Head: `[comm] [pid[/tid]] [[cpu]] time: [period] [event:]` in either pid width, usec or `--ns`
 *   times. Read from anchors (parsePerfLine), so any head perf prints without `--latency` works.
 * - Between the event and the end of the line, any subset, in perf's order, of
 *   addr, data_src (+ decode text), weight, ins_lat, retire_lat, ip [+ sym/symoff/dso],
 *   phys_addr, data_page_size, code_page_size, printed with perf's widths (`%16` fields, the
 *   `' '` before ip, data_src's running padding). This covers IBS `-F ...,addr,phys_addr[,data_src,
 *   weight,ip,sym]` lists and Intel PEBS default output (with or without `--phys-data`).
 * Every sample line of the accepted events in the window must fit the same field lists; if the lines
 * fit several lists that disagree on phys_addr (e.g. `-F ...,event,addr` and `-F ...,event,phys_addr`
 * print the very same text), detection refuses and asks for --perf-fields. Not detected: `--latency`,
 * callchains, cgroup/iregs/uregs/brstack/insn/flags/trace/tod columns; use --perf-fields. The head's pid/tid
 * token and misc letters are detected from the probes (ProbeLine.pidTid, .misc).
 */
import type { PerfField, PerfShape } from './perf-fields.js';
import { PERF_PRINT_ORDER, makeShape } from './perf-fields.js';
import { ABSENT, MAYBE, PRESENT } from './perf-line.js';
import type { Presence } from './perf-line.js';

/** Fields between the event and the end of a line, in perf's order (`sym` stands for sym/symoff/dso). */
const MIDDLE: readonly PerfField[] = [
  'addr', 'data_src', 'weight', 'ins_lat', 'retire_lat', 'ip', 'phys_addr', 'data_page_size', 'code_page_size',
];

const HEX16 = /^ *[0-9a-f]{1,16}$/;
const DEC16 = /^ *[0-9]{1,16}$/;
// get_page_size_name(): unit_number__scnprintf() always appends a unit (`4K`, `1024B`); 0 prints `N/A`.
const PAGE_SIZE = /^(?:[0-9]+[BKMGTPEZY]|N\/A)$/;
const PURE_HEX = /^[0-9a-f]+$/;

interface Step {
  end: number;
  /** Padding may precede the next field (after data_src's `%-*s`). */
  slack: boolean;
  fields: PerfField[];
  /** MIDDLE index the walk goes on from (default: after the step's last field). */
  next?: number;
}

const AFTER_ADDR = 1; // MIDDLE.indexOf('addr') + 1

/** A `%16` field ending at a token: fixed at i, or anywhere from i on after data_src's padding. */
function slot(s: string, i: number, slack: boolean, re: RegExp, lead: number): number {
  if (!slack) {
    const end = i + lead + 16;
    if (end > s.length) return -1;
    if (lead === 1 && s[i] !== ' ') return -1;
    if (!re.test(s.slice(i + lead, end))) return -1;
    if (end < s.length && s[end] !== ' ' && re === DEC16) return -1;
    return end;
  }
  let t = i;
  while (t < s.length && s[t] === ' ') t++;
  let e = t;
  while (e < s.length && s[e] !== ' ') e++;
  if (e === t || e - 16 - lead < i || !re.test(s.slice(e - 16, e))) return -1;
  return e;
}

/** Where the tail `[phys_addr][ data_page_size][ code_page_size]` (a subset) starts, or -1. */
function tailStart(s: string, fields: readonly PerfField[]): number {
  let e = s.length;
  for (let k = fields.length - 1; k >= 0; k--) {
    if (fields[k] === 'phys_addr') {
      if (e - 16 < 0 || !HEX16.test(s.slice(e - 16, e))) return -1;
      e -= 16;
    } else {
      const sp = s.lastIndexOf(' ', e - 1);
      if (sp < 0 || !PAGE_SIZE.test(s.slice(sp + 1, e))) return -1;
      e = sp;
    }
  }
  return e;
}

/**
 * Tails after sym/dso text, longest first. The first that fits is taken: sym/dso text is printed
 * after single spaces (`" " sym`, `" (" dso ")"`), so a right-aligned `%16` hex field at the end of
 * the line cannot be part of it and is phys_addr.
 */
const TAILS: readonly (readonly PerfField[])[] = [
  ['phys_addr', 'data_page_size', 'code_page_size'],
  ['phys_addr', 'data_page_size'],
  ['phys_addr', 'code_page_size'],
  ['phys_addr'],
  ['data_page_size', 'code_page_size'],
  ['data_page_size'],
  ['code_page_size'],
  [],
];

function steps(s: string, i: number, slack: boolean, f: PerfField): Step[] {
  switch (f) {
    case 'addr': {
      const e = slot(s, i, slack, HEX16, 0);
      if (e < 0) return [];
      const out: Step[] = [{ end: e, slack: false, fields: ['addr'] }];
      // perf_sample__fprintf_addr(): for events whose addr correlates with a symbol (page faults,
      // branches), `sym`/`symoff`/`dso` in -F print the data address's symbol right after it:
      // `" " sym[+off]` and/or `" (" dso ")"`, so never an empty text. The text may hold single
      // spaces (C++ names, dso paths), never a run of them: that is the padding of the next `%16`
      // field. So every token end before the first double space is where the next field may start.
      if (s[e] === ' ' && e + 1 < s.length && s[e + 1] !== ' ') {
        for (let k = e + 2; k <= s.length; k++) {
          if (s[k - 1] === ' ' && s[k] === ' ') break;
          if (s[k - 1] !== ' ' && (k === s.length || s[k] === ' ')) {
            out.push({ end: k, slack: false, fields: ['addr', 'sym'], next: AFTER_ADDR });
          }
        }
      }
      return out;
    }
    case 'phys_addr': {
      const e = slot(s, i, slack, HEX16, 0);
      return e < 0 ? [] : [{ end: e, slack: false, fields: [f] }];
    }
    case 'weight':
    case 'ins_lat':
    case 'retire_lat': {
      const e = slot(s, i, slack, DEC16, 0);
      return e < 0 ? [] : [{ end: e, slack: false, fields: [f] }];
    }
    case 'data_src': {
      // data_src__fprintf(): "%16" PRIx64 " %s", then "%-*s" with a running maximum width.
      const e = slot(s, i, slack, HEX16, 0);
      if (e < 0 || s[e] !== ' ') return [];
      let d = e + 1;
      let end = s.length;
      while (d < s.length) {
        while (d < s.length && s[d] === ' ') d++;
        let te = d;
        while (te < s.length && s[te] !== ' ') te++;
        if (te > d && PURE_HEX.test(s.slice(d, te))) { end = d; break; }
        d = te;
      }
      while (end > e && s[end - 1] === ' ') end--;
      if (!s.slice(e + 1, end).includes('|')) return [];
      return [{ end, slack: true, fields: ['data_src'] }];
    }
    case 'ip': {
      // process_event(): fputc(' ') then sample__fprintf_sym(): "%16" PRIx64 [" " sym] [" (" dso ")"].
      const e = slot(s, i, slack, HEX16, 1);
      if (e < 0) return [];
      const out: Step[] = [{ end: e, slack: false, fields: ['ip'] }];
      if (s[e] === ' ') {
        for (const tail of TAILS) {
          const t = tailStart(s, tail);
          if (t > e + 1 && s.slice(e + 1, t).trim() !== '') {
            out.push({ end: s.length, slack: false, fields: ['ip', 'sym', ...tail] });
            break;
          }
        }
      }
      return out;
    }
    case 'data_page_size':
    case 'code_page_size': {
      if (s[i] !== ' ') return [];
      let e = i + 1;
      while (e < s.length && s[e] !== ' ') e++;
      return PAGE_SIZE.test(s.slice(i + 1, e)) ? [{ end: e, slack: false, fields: [f] }] : [];
    }
    default:
      return [];
  }
}

function walk(s: string, i: number, k: number, slack: boolean, acc: PerfField[], out: Set<string>): void {
  if (i === s.length) out.add(acc.join(','));
  for (let f = k; f < MIDDLE.length; f++) {
    for (const st of steps(s, i, slack, MIDDLE[f]!)) {
      const next = acc.concat(st.fields.filter((x) => !acc.includes(x)));
      const last = st.fields[st.fields.length - 1]!;
      // `sym` (sym/symoff/dso text) continues after ip in perf's order.
      const at = st.next ?? MIDDLE.indexOf(last === 'sym' ? 'ip' : last) + 1;
      walk(s, st.end, at, st.slack, next, out);
    }
  }
}

/**
 * Every field list (comma-joined, perf order) that prints `middle`: the text after the event's
 * `": "` (or after the time/period when no event is printed). Empty set: no known shape fits.
 */
export function middleCandidates(middle: string): Set<string> {
  let end = middle.length;
  while (end > 0 && (middle[end - 1] === ' ' || middle[end - 1] === '\r' || middle[end - 1] === '\t')) end--;
  const found = new Set<string>();
  walk(middle.slice(0, end), 0, 0, false, [], found);
  // One page-size token reads as data_page_size or code_page_size alike; only their number matters,
  // so name them by position.
  const out = new Set<string>();
  for (const c of found) {
    const fields = c === '' ? [] : c.split(',');
    const k = fields.filter((f) => f.endsWith('page_size')).length;
    const names = ['data_page_size', 'code_page_size'].slice(0, k);
    // In perf's print order, so that the same fields found along different paths compare equal.
    const list = fields.filter((f) => !f.endsWith('page_size')).concat(names) as PerfField[];
    out.add(list.sort((a, b) => PRINT_INDEX.get(a)! - PRINT_INDEX.get(b)!).join(','));
  }
  return out;
}

const PRINT_INDEX = new Map<string, number>(PERF_PRINT_ORDER.map((f, i) => [f, i]));

/** What one window line showed: head presence flags and its candidate middles. */
export interface ProbeLine {
  readonly line: number;
  readonly text: string;
  readonly comm: boolean;
  /** The pid/tid token before the cpu or time: 2 `pid/tid`, 1 one number, 0 none (perf-line.ts pidTidBefore()). */
  readonly pidTid: 0 | 1 | 2;
  /** Misc letters between the cpu and the time. */
  readonly misc: boolean;
  readonly cpu: boolean;
  readonly period: boolean;
  readonly event: boolean;
  readonly candidates: ReadonlySet<string>;
}

/**
 * The one doubt text cannot settle: one hex column that is phys_addr in some readings and not in the
 * others (`-F cpu,time,phys_addr` and `-F cpu,time,addr` print the very same text). The reader
 * settles it with the topology (perf-read.ts).
 */
export interface PhysDoubt {
  /** The reading with phys_addr. */
  readonly withPhys: PerfShape;
  /** The reading without (addr in its place when that is one of the readings). */
  readonly withoutPhys: PerfShape;
}

/** Detection result: a shape, or the line and reason that stopped it (with the phys_addr doubt, if that is all). */
export type Detection =
  | { readonly ok: true; readonly shape: PerfShape }
  | { readonly ok: false; readonly line: number; readonly text: string; readonly reason: string; readonly physDoubt?: PhysDoubt };

/** The phys_addr and page-size fields of a reading: what decides where the reader finds phys_addr. */
export function physSignature(list: string): string {
  return list === '' ? '' : list.split(',').filter((f) => f === 'phys_addr' || f.endsWith('page_size')).join(',');
}

function flag(lines: readonly ProbeLine[], get: (p: ProbeLine) => boolean): Presence {
  const n = lines.filter(get).length;
  return n === 0 ? ABSENT : n === lines.length ? PRESENT : MAYBE;
}

/** Combines the probed window lines into one shape (see the module comment for the rules). */
export function detectShape(lines: readonly ProbeLine[]): Detection {
  let common: Set<string> | null = null;
  for (const p of lines) {
    if (p.candidates.size === 0) {
      return { ok: false, line: p.line, text: p.text, reason: 'perf script line shape not recognised; pass --perf-fields with the list given to perf script -F' };
    }
    const next: Set<string> = common === null ? new Set(p.candidates) : new Set([...common].filter((c) => p.candidates.has(c)));
    if (next.size === 0) {
      return { ok: false, line: p.line, text: p.text, reason: 'this line has other fields than the lines before it; pass --perf-fields' };
    }
    common = next;
  }
  const fields = new Set<PerfField>(['time']);
  const optional = new Set<PerfField>();
  const head: [PerfField, Presence][] = [
    ['comm', flag(lines, (p) => p.comm)],
    ['cpu', flag(lines, (p) => p.cpu)],
    ['period', flag(lines, (p) => p.period)],
    ['event', flag(lines, (p) => p.event)],
  ];
  for (const [f, pr] of head) {
    if (pr !== ABSENT) fields.add(f);
    if (pr === MAYBE) optional.add(f);
  }
  // perf prints pid/tid on every line or none: the form most lines show is the field list (a tie goes to more fields),
  // and a line without it is then an error. One number is pid or tid alike (`"%7d "` either way): named tid.
  const forms = [0, 0, 0];
  for (const p of lines) forms[p.pidTid]!++;
  const form = forms[2]! >= forms[1]! && forms[2]! >= forms[0]! ? 2 : forms[1]! >= forms[0]! ? 1 : 0;
  if (form === 2) fields.add('pid').add('tid');
  else if (form === 1) fields.add('tid');
  // misc letters on some line: the misc field (a line whose misc is empty prints only its padding).
  if (lines.some((p) => p.misc)) fields.add('misc');
  const build = (lists: readonly PerfField[][]): PerfShape => {
    const all = new Set(fields);
    const opt = new Set(optional);
    for (const l of lists) for (const f of l) all.add(f);
    for (const f of all) {
      if ((MIDDLE as readonly string[]).includes(f) || f === 'sym') {
        if (!lists.every((l) => l.includes(f))) opt.add(f);
      }
    }
    return makeShape(all, 'detected', opt);
  };
  if (common === null) return { ok: true, shape: build([]) };
  const lists = [...common].map((c) => (c === '' ? [] : (c.split(',') as PerfField[])));
  const sigs = new Set([...common].map(physSignature));
  if (sigs.size > 1) {
    const last = lines[lines.length - 1]!;
    const alts = [...common].map((c) => c || '(nothing)').join(' | ');
    const reason = `cannot tell which perf script fields these lines hold (${alts}); pass --perf-fields`;
    // Only phys_addr itself in doubt: two signatures, one of them the other plus phys_addr.
    const [a, b] = [...sigs].sort((x, y) => y.length - x.length) as [string, string];
    if (sigs.size === 2 && a.split(',').filter((f) => f !== 'phys_addr').join(',') === b && a.split(',').includes('phys_addr') && !b.split(',').includes('phys_addr')) {
      const withPhys = lists.filter((l) => l.includes('phys_addr'));
      const without = lists.filter((l) => !l.includes('phys_addr'));
      // Of the readings without phys_addr, the ones that read the column as addr (what perf prints
      // for the same -F list with addr in place of phys_addr), else all of them.
      const asAddr = without.filter((l) => withPhys.some((p) => p.map((f) => (f === 'phys_addr' ? 'addr' : f)).join(',') === l.join(',')));
      return { ok: false, line: last.line, text: last.text, reason, physDoubt: { withPhys: build(withPhys), withoutPhys: build(asAddr.length > 0 ? asAddr : without) } };
    }
    return { ok: false, line: last.line, text: last.text, reason };
  }
  return { ok: true, shape: build(lists) };
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
    // `perf script --show-round-events` may print a bare `PERF_RECORD_FINISHED_ROUND` first.
    if (line.trimStart().startsWith('PERF_RECORD_')) return true;
    return PERF_TIME.test(line) || PERF_NO_TIME.test(line);
  }
  return false;
}

/**
 * A perf sample line printed without its time field (`-F comm,pid,cpu,event,addr,...`): no comma
 * (a CSV trace always has them), and a `[cpu]` token (`"[%03d] "`) or an event token `name: ` followed
 * by a bare hex field. Such input goes to the perf reader, which refuses it for lack of a time.
 */
const PERF_NO_TIME = /^[^,]*(?:(?:^|\s)\[[0-9]{3,}\](?:\s|$)|\S: +[0-9a-f]+(?:\s|$))/;
