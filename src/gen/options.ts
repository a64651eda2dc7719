/**
 * Options of `kpromo gen`: declared once (flag, help, default, parser) in GEN_OPTIONS, and one
 * normalize step (normalizeGenOptions) that turns user options into a complete, validated,
 * read-only GenOptions. Messages quote the bad value.
 */
import { UsageError } from '../errors.js';

/** Access patterns the generator knows. */
export type GenPattern = 'zipf' | 'phase' | 'scan' | 'mix';

/** Pattern names, in help order. */
export const GEN_PATTERNS: readonly GenPattern[] = ['zipf', 'phase', 'scan', 'mix'];

/** A complete, validated generator configuration. */
export interface GenOptions {
  readonly pattern: GenPattern;
  /** Distinct pages the trace may touch. */
  readonly pages: number;
  /** Access records to write. */
  readonly records: number;
  /** Zipf exponent s of the hot set (zipf, phase, mix). */
  readonly exponent: number;
  /** phase: the hot set moves every this many records. */
  readonly phaseRecords: number;
  /** mix: share of records that belong to the background scan. */
  readonly scanFraction: number;
  /** CPU nodes issuing accesses: nid is drawn among 0..nodes-1. */
  readonly nodes: number;
  /** Share of records with nid -1 (NUMA_NO_NODE), as a page-table scanner reports them. */
  readonly numaNoNodeFraction: number;
  /** Share of records from the page-table scan source (src pgtscan); the rest are hwhints. */
  readonly pgtscanFraction: number;
  /** Ticks per second: times are jiffies at this HZ. */
  readonly hz: number;
  /** Length of the trace in seconds. */
  readonly duration: number;
  /** Time of the first record, in jiffies. */
  readonly start: number;
  /** First pfn of the slow tier. */
  readonly slowBase: number;
  /** Number of pfns in the slow tier range. */
  readonly slowSpan: number;
  /** Share of the pages that live in the fast tier range [FAST_TIER_BASE, FAST_TIER_END). */
  readonly fastFraction: number;
  /** PRNG seed. */
  readonly seed: number;
}

/** Fast tier range: node 0 of the default 2s-cxl preset (SPEC 7), pfn [0x0, 0x100000). */
export const FAST_TIER_BASE = 0x0;
/** End (exclusive) of the fast tier range. */
export const FAST_TIER_END = 0x100000;
/** INITIAL_JIFFIES at HZ 250 on 64-bit: (unsigned int)(-300 * 250) (include/linux/jiffies.h, torvalds/linux). */
export const INITIAL_JIFFIES_HZ250 = 4294892296;
/** Largest page count: keeps slot arithmetic exact in doubles (slot * slot < 2^53). */
export const MAX_GEN_PAGES = 2 ** 26;

/** Defaults of every option except phaseRecords (which defaults to half the records). */
export const GEN_DEFAULTS: Readonly<Omit<GenOptions, 'phaseRecords'>> = {
  pattern: 'zipf',
  pages: 100_000,
  records: 1_000_000,
  exponent: 1.0,
  scanFraction: 0.2,
  nodes: 2,
  numaNoNodeFraction: 0.1,
  pgtscanFraction: 0.2,
  hz: 250,
  duration: 60,
  start: INITIAL_JIFFIES_HZ250,
  slowBase: 0x200000,
  slowSpan: 0x200000,
  fastFraction: 0.1,
  seed: 1,
};

/** User-facing options: GenOptions fields, all optional, plus `rate` (records per second). */
export type GenInput = { -readonly [K in keyof GenOptions]?: GenOptions[K] } & { rate?: number };

/** One `kpromo gen` option: commander flag, help, default shown in help, parser of the text. */
export interface GenOptionSpec {
  /** Key in GenInput (commander's camelCase of the flag). */
  readonly key: keyof GenInput;
  /** Commander flag syntax, e.g. `--pages <n>`. */
  readonly flag: string;
  readonly description: string;
  /** Default as shown in help; undefined when the default depends on other options. */
  readonly default: string | undefined;
  /** Parses the option's text; throws UsageError quoting the flag and the text. */
  readonly parse: (text: string) => number | string;
}

function flagName(flag: string): string {
  return flag.split(' ')[0] ?? flag;
}

function bad(flag: string, text: string, want: string): UsageError {
  return new UsageError(`${flagName(flag)}: expected ${want}, got ${JSON.stringify(text)}`, 'KPROMO_GEN_OPTION');
}

/** Digits with `_` separators between them (`1_000`), as the number is written; not at either end or doubled. */
const DIGITS = '[0-9]+(?:_[0-9]+)*';
const HEX_TEXT = /^0x[0-9a-f]+(?:_[0-9a-f]+)*$/i;
const DECIMAL_INTEGER_TEXT = new RegExp(`^${DIGITS}$`);
const DECIMAL_TEXT = new RegExp(`^[+]?(?:${DIGITS}(?:\\.(?:${DIGITS})?)?|\\.${DIGITS})(?:e[+-]?[0-9]+)?$`, 'i');

/** Parses a non-negative safe integer written in decimal or 0x hex, `_` separators between digits allowed. */
function integer(flag: string, min: number) {
  return (text: string): number => {
    const t = text.replace(/_/g, '');
    const v = HEX_TEXT.test(text) ? parseInt(t.slice(2), 16) : DECIMAL_INTEGER_TEXT.test(text) ? Number(t) : NaN;
    if (!Number.isSafeInteger(v) || v < min) throw bad(flag, text, v > Number.MAX_SAFE_INTEGER ? `an integer in [${min}, 2^53 - 1]` : `an integer >= ${min}`);
    return v;
  };
}

/** Parses a finite decimal number in [min, max]. */
function decimal(flag: string, min: number, max: number, minOpen = false) {
  return (text: string): number => {
    const v = DECIMAL_TEXT.test(text) ? Number(text.replace(/_/g, '')) : NaN;
    const lowOk = minOpen ? v > min : v >= min;
    if (!Number.isFinite(v) || !lowOk || v > max) {
      const range = max === Infinity ? `${minOpen ? '>' : '>='} ${min}` : `in [${min}, ${max}]`;
      throw bad(flag, text, `a number ${range}`);
    }
    return v;
  };
}

function pattern(text: string): GenPattern {
  const p = GEN_PATTERNS.find((name) => name === text.toLowerCase()); // as written: no spaces around it
  if (p === undefined) throw bad('--pattern', text, `one of ${GEN_PATTERNS.join(', ')}`);
  return p;
}

/** Every `kpromo gen` option, in help order. Pass no commander defaults: normalize applies them. */
export const GEN_OPTIONS: readonly GenOptionSpec[] = [
  { key: 'pattern', flag: '--pattern <name>', default: GEN_DEFAULTS.pattern, parse: pattern,
    description: 'access pattern: zipf (skewed hot set), phase (hot set moves), scan (sequential sweeps), mix (zipf + background scan)' },
  { key: 'pages', flag: '--pages <n>', default: String(GEN_DEFAULTS.pages), parse: integer('--pages', 1),
    description: 'distinct pages the trace may touch' },
  { key: 'records', flag: '--records <n>', default: String(GEN_DEFAULTS.records), parse: integer('--records', 0),
    description: 'access records to write' },
  { key: 'exponent', flag: '--exponent <s>', default: String(GEN_DEFAULTS.exponent), parse: decimal('--exponent', 0, 100),
    description: 'Zipf exponent of the hot set (0 = uniform)' },
  { key: 'phaseRecords', flag: '--phase-records <n>', default: undefined, parse: integer('--phase-records', 1),
    description: 'phase: move the hot set every N records (default: half the records)' },
  { key: 'scanFraction', flag: '--scan-fraction <f>', default: String(GEN_DEFAULTS.scanFraction),
    parse: decimal('--scan-fraction', 0, 1), description: 'mix: share of records from the background scan' },
  { key: 'nodes', flag: '--nodes <n>', default: String(GEN_DEFAULTS.nodes), parse: integer('--nodes', 1),
    description: 'CPU nodes issuing accesses (nid drawn among 0..n-1)' },
  { key: 'numaNoNodeFraction', flag: '--numa-no-node-fraction <f>', default: String(GEN_DEFAULTS.numaNoNodeFraction),
    parse: decimal('--numa-no-node-fraction', 0, 1), description: 'share of records with nid -1 (NUMA_NO_NODE)' },
  { key: 'pgtscanFraction', flag: '--pgtscan-fraction <f>', default: String(GEN_DEFAULTS.pgtscanFraction),
    parse: decimal('--pgtscan-fraction', 0, 1), description: 'share of records with src pgtscan (the rest are hwhints)' },
  { key: 'hz', flag: '--hz <n>', default: String(GEN_DEFAULTS.hz), parse: integer('--hz', 1),
    description: 'jiffies per second' },
  { key: 'duration', flag: '--duration <seconds>', default: String(GEN_DEFAULTS.duration),
    parse: decimal('--duration', 0, Infinity, true), description: 'length of the trace in seconds' },
  { key: 'rate', flag: '--rate <records-per-second>', default: undefined, parse: decimal('--rate', 0, Infinity, true),
    description: 'records per second (instead of --duration)' },
  { key: 'start', flag: '--start <jiffies>', default: String(GEN_DEFAULTS.start), parse: integer('--start', 0),
    description: 'time of the first record in jiffies (INITIAL_JIFFIES at HZ 250)' },
  { key: 'slowBase', flag: '--slow-base <pfn>', default: '0x200000', parse: integer('--slow-base', 0),
    description: 'first pfn of the slow tier (node 2 of preset 2s-cxl)' },
  { key: 'slowSpan', flag: '--slow-span <pfns>', default: '0x200000', parse: integer('--slow-span', 1),
    description: 'pfns in the slow tier range' },
  { key: 'fastFraction', flag: '--fast-fraction <f>', default: String(GEN_DEFAULTS.fastFraction),
    parse: decimal('--fast-fraction', 0, 1), description: 'share of pages on the fast tier, pfn 0x0-0x100000 (node 0)' },
  { key: 'seed', flag: '--seed <n>', default: String(GEN_DEFAULTS.seed), parse: integer('--seed', 0),
    description: 'PRNG seed: the same seed and options give the same trace' },
];

/** Parses commander-style string options (camelCase keys, undefined = not given) into GenOptions. */
export function parseGenArgs(record: Readonly<Record<string, string | undefined>>): GenOptions {
  const input: Record<string, number | string> = {};
  for (const spec of GEN_OPTIONS) {
    const text = record[spec.key];
    if (text !== undefined) input[spec.key] = spec.parse(text);
  }
  return normalizeGenOptions(input as GenInput);
}

/** Number of pages on the fast tier for `pages` pages and a fast fraction. */
export function fastPageCount(pages: number, fastFraction: number): number {
  return Math.round(pages * fastFraction);
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new UsageError(message, 'KPROMO_GEN_OPTION');
}

function isFraction(v: number): boolean {
  return Number.isFinite(v) && v >= 0 && v <= 1;
}

/** Fills defaults and validates the options together; throws UsageError quoting bad values. */
export function normalizeGenOptions(input: GenInput = {}): GenOptions {
  const d = GEN_DEFAULTS;
  const o = {
    pattern: input.pattern ?? d.pattern,
    pages: input.pages ?? d.pages,
    records: input.records ?? d.records,
    exponent: input.exponent ?? d.exponent,
    scanFraction: input.scanFraction ?? d.scanFraction,
    nodes: input.nodes ?? d.nodes,
    numaNoNodeFraction: input.numaNoNodeFraction ?? d.numaNoNodeFraction,
    pgtscanFraction: input.pgtscanFraction ?? d.pgtscanFraction,
    hz: input.hz ?? d.hz,
    duration: input.duration ?? d.duration,
    start: input.start ?? d.start,
    slowBase: input.slowBase ?? d.slowBase,
    slowSpan: input.slowSpan ?? d.slowSpan,
    fastFraction: input.fastFraction ?? d.fastFraction,
    seed: input.seed ?? d.seed,
  };
  check(GEN_PATTERNS.includes(o.pattern), `--pattern: expected one of ${GEN_PATTERNS.join(', ')}, got ${JSON.stringify(o.pattern)}`);
  check(Number.isSafeInteger(o.pages) && o.pages >= 1 && o.pages <= MAX_GEN_PAGES,
    `--pages: expected an integer in [1, ${MAX_GEN_PAGES}], got ${o.pages}`);
  check(Number.isSafeInteger(o.records) && o.records >= 0, `--records: expected an integer >= 0, got ${o.records}`);
  check(Number.isFinite(o.exponent) && o.exponent >= 0, `--exponent: expected a number >= 0, got ${o.exponent}`);
  check(isFraction(o.scanFraction), `--scan-fraction: expected a number in [0, 1], got ${o.scanFraction}`);
  check(Number.isSafeInteger(o.nodes) && o.nodes >= 1 && o.nodes <= 1024, `--nodes: expected an integer in [1, 1024], got ${o.nodes}`);
  check(isFraction(o.numaNoNodeFraction), `--numa-no-node-fraction: expected a number in [0, 1], got ${o.numaNoNodeFraction}`);
  check(isFraction(o.pgtscanFraction), `--pgtscan-fraction: expected a number in [0, 1], got ${o.pgtscanFraction}`);
  check(isFraction(o.fastFraction), `--fast-fraction: expected a number in [0, 1], got ${o.fastFraction}`);
  check(Number.isSafeInteger(o.hz) && o.hz >= 1, `--hz: expected an integer >= 1, got ${o.hz}`);
  check(Number.isSafeInteger(o.seed) && o.seed >= 0, `--seed: expected an integer >= 0, got ${o.seed}`);
  check(Number.isSafeInteger(o.start) && o.start >= 0, `--start: expected an integer >= 0, got ${o.start}`);
  if (input.rate !== undefined) {
    check(input.duration === undefined, `--rate ${input.rate} and --duration ${input.duration}: give one, not both`);
    check(Number.isFinite(input.rate) && input.rate > 0, `--rate: expected a number > 0, got ${input.rate}`);
    o.duration = o.records / input.rate;
  }
  check(Number.isFinite(o.duration) && o.duration > 0, `--duration: expected a number > 0, got ${o.duration}`);
  const span = Math.round(o.duration * o.hz);
  // Compared unrounded: 0.003 s at HZ 250 (3/4 jiffy) is shorter than one jiffy too, not one jiffy.
  check(o.duration * o.hz >= 1, `--duration ${o.duration} at --hz ${o.hz} is shorter than one jiffy`);
  check(o.start + span <= Number.MAX_SAFE_INTEGER,
    `--start ${o.start} + ${span} jiffies (--duration ${o.duration} at --hz ${o.hz}) does not fit below 2^53`);
  // Record i is at start + floor(i * span / records), computed exactly: records x span must stay below 2^53.
  check(o.records * span <= Number.MAX_SAFE_INTEGER,
    `--records ${o.records}: at most ${Math.floor(Number.MAX_SAFE_INTEGER / span)} over ${span} jiffies ` +
      `(--duration ${o.duration} at --hz ${o.hz}; records x jiffies must stay below 2^53)`);

  const fast = fastPageCount(o.pages, o.fastFraction);
  const slow = o.pages - fast;
  check(Number.isSafeInteger(o.slowBase) && o.slowBase >= 0, `--slow-base: expected an integer >= 0, got ${o.slowBase}`);
  check(Number.isSafeInteger(o.slowSpan) && o.slowSpan >= 1, `--slow-span: expected an integer >= 1, got ${o.slowSpan}`);
  check(o.slowBase + o.slowSpan <= Number.MAX_SAFE_INTEGER,
    `--slow-base 0x${o.slowBase.toString(16)} + --slow-span 0x${o.slowSpan.toString(16)} does not fit below 2^53`);
  check(fast <= FAST_TIER_END - FAST_TIER_BASE,
    `--pages ${o.pages} with --fast-fraction ${o.fastFraction} puts ${fast} pages on the fast tier, ` +
      `which holds only ${FAST_TIER_END - FAST_TIER_BASE} pfns (0x0-0x${FAST_TIER_END.toString(16)})`);
  check(slow <= o.slowSpan,
    `--pages ${o.pages} with --fast-fraction ${o.fastFraction} puts ${slow} pages on the slow tier, ` +
      `which holds only --slow-span ${o.slowSpan} pfns`);
  check(fast === 0 || slow === 0 || o.slowBase >= FAST_TIER_END || o.slowBase + o.slowSpan <= FAST_TIER_BASE,
    `--slow-base 0x${o.slowBase.toString(16)} (--slow-span 0x${o.slowSpan.toString(16)}) overlaps the fast tier ` +
      `range 0x0-0x${FAST_TIER_END.toString(16)}`);

  const phaseRecords = input.phaseRecords ?? Math.max(1, Math.ceil(o.records / 2));
  check(Number.isSafeInteger(phaseRecords) && phaseRecords >= 1, `--phase-records: expected an integer >= 1, got ${phaseRecords}`);
  return Object.freeze({ ...o, phaseRecords });
}
