/**
 * Turns what the user typed (option values as text, from the command line or a check case's .args file)
 * into complete, validated, read-only ReplaySettings. Pure: no commander, no I/O; messages quote bad values.
 */
import { RFC_V1_DEFAULTS, validateRfcV1Config } from '../engine/config.js';
import { ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import { resolvePghotConfig, type PghotConfig } from '../engine/pghot-config.js';
import type { Topology } from '../engine/topology.js';
import { UsageError } from '../errors.js';
import type { ReplaySettings } from './replay.js';
import { escapeControl } from '../escape.js';
import { DEFAULT_INPUT_SETTINGS, type InputKind, type InputSettings } from '../trace/input.js';
import { parsePerfFields } from '../trace/perf-fields.js';
import { checkPageSize, parseNidMode } from '../trace/perf-map.js';

/**
 * An integer as every integer option takes it: decimal digits with no leading zero (the kernel's sysctl handlers
 * read `010` as octal 8: proc_get_long() parses with base 0) and a `-` only before a nonzero number (no `-0`);
 * no whitespace, `+`, exponent or separator. Shared by the single-value options and sweep's lists.
 */
export const INTEGER_TEXT = /^(?:0|-?[1-9][0-9]*)$/;

/**
 * Parses an integer option value as written: INTEGER_TEXT, or `0x` hex only where `hex` says the option is a mask.
 * The value is quoted.
 */
export function parseIntOption(flag: string, text: unknown, min: number, max: number, hex = false): number {
  const s = String(text);
  const ok = INTEGER_TEXT.test(s) || (hex && /^0x[0-9a-f]+$/i.test(s));
  const v = ok ? Number(s) : NaN;
  if (!ok || !Number.isSafeInteger(v) || v < min || v > max) {
    const why = /^-?0[0-9]/.test(s) ? ' (no leading zero: a sysctl file reads 010 as octal 8)' : '';
    throw new UsageError(`${flag} must be ${hex ? 'a decimal or 0x hex integer' : 'an integer'} in [${min}, ${max}], got ${JSON.stringify(s)}${why}`);
  }
  return v;
}

/** Allowed range of `--threshold`: a page is a candidate after this many accesses in a window, at least one. */
export const THRESHOLD_RANGE = [1, 0x7fffffff] as const;

/** Parses `--threshold`, refusing values below 1 with the allowed range in the message. */
export function parseThreshold(text: unknown): number {
  return parseIntOption('--threshold', text, THRESHOLD_RANGE[0], THRESHOLD_RANGE[1]);
}

/** Options each engine ignores: refused rather than silently dropped (refuseIgnoredOptions). */
const ENGINE_ONLY: ReadonlyArray<{ readonly flag: string; readonly key: keyof RawEngineOptions; readonly engines: readonly string[] }> = [
  { flag: '--demotion', key: 'demotion', engines: ['rfc-v1', 'rfc-v1-fixed'] },
  { flag: '--default-node', key: 'defaultNode', engines: ['rfc-v1', 'rfc-v1-fixed'] },
  { flag: '--hash-order', key: 'hashOrder', engines: ['rfc-v1', 'rfc-v1-fixed'] },
  { flag: '--pghot-precise', key: 'pghotPrecise', engines: ['pghot'] },
  { flag: '--target-nid', key: 'targetNid', engines: ['pghot'] },
  { flag: '--batch', key: 'batch', engines: ['pghot'] },
  { flag: '--rate-limit', key: 'rateLimit', engines: ['pghot'] },
  { flag: '--sources', key: 'sources', engines: ['pghot'] },
];

/** The engines that use option `key`, or null when every engine does. */
export function optionEngines(key: keyof RawEngineOptions): readonly string[] | null {
  return ENGINE_ONLY.find((o) => o.key === key)?.engines ?? null;
}

/** The options given in `raw` that the engine `raw.engine` has no use for, as flags. */
export function ignoredOptions(raw: RawEngineOptions): string[] {
  return ENGINE_ONLY.filter((o) => raw[o.key] !== undefined && raw[o.key] !== false && !o.engines.includes(raw.engine)).map((o) => o.flag);
}

/**
 * Refuses options the chosen engine would ignore (`--pghot-precise` or `--target-nid` with rfc-v1,
 * `--demotion` with pghot): a run never silently drops what the user asked for.
 */
export function refuseIgnoredOptions(raw: RawEngineOptions): void {
  const flags = ignoredOptions(raw);
  if (flags.length === 0) return;
  const owner = ENGINE_ONLY.find((o) => o.flag === flags[0])!.engines.join(' and ');
  throw new UsageError(
    `${flags.join(', ')} ${flags.length === 1 ? 'is' : 'are'} not used by --engine ${raw.engine} (only by ${owner}): leave ${flags.length === 1 ? 'it' : 'them'} out or choose that engine`,
  );
}

/** Raw values commander collected for ENGINE_OPTIONS. */
export interface RawEngineOptions {
  topology: string;
  engine: string;
  hz: string;
  window?: string;
  threshold?: string;
  period?: string;
  pghotPrecise?: boolean;
  demotion?: boolean;
  targetNid?: string;
  batch?: string;
  rateLimit?: string;
  sources?: string;
  /** Absent = the default (1, 16); absent also tells that the user did not set it (pghot refuses it). */
  defaultNode?: string;
  hashOrder?: string;
  parser: string;
  /** INPUT_OPTIONS; absent for commands without them (defaults apply). */
  input?: string;
  perfFields?: string;
  nid?: string;
  pageSize?: string;
  event?: string[];
  skipBad?: boolean;
  parseThread?: string;
}

/** Raw values commander collected for INPUT_OPTIONS. */
export type RawInputOptions = Pick<RawEngineOptions, 'input' | 'perfFields' | 'nid' | 'pageSize' | 'event' | 'skipBad'>;

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 };

/**
 * The bytes a `--page-size` text names: digits, optionally with a K, M or G suffix (binary units, `KiB`/`KB` too),
 * as written (no spaces or leading zero, as every integer option); NaN when it is no such text. The range is the caller's.
 */
export function pageSizeBytes(text: string): number {
  const m = /^(0|[1-9][0-9]*)([KMG]?)(?:i?B)?$/i.exec(text); // the digits as INTEGER_TEXT has them
  return m === null ? NaN : Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
}

/** Parses `--page-size`: bytes, or a number with a K, M or G suffix (binary units). */
export function parsePageSize(text: string): number {
  const v = pageSizeBytes(text);
  const bad = new UsageError(`--page-size: expected a power of two in bytes such as 4096, 4K, 2M or 1G, got ${JSON.stringify(text)}`);
  if (!Number.isSafeInteger(v)) throw bad;
  try {
    return checkPageSize(v);
  } catch {
    throw bad; // quote what the user typed, not the number it means
  }
}

/**
 * Splits `--event` values at commas outside `/.../` terms, so `cpu/mem-loads,ldlat=30/P,ibs_op//`
 * is two events (perf event names carry commas between their PMU terms).
 */
export function splitEvents(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    let inside = false;
    let cur = '';
    for (const ch of v) {
      if (ch === '/') inside = !inside;
      if (ch === ',' && !inside) {
        out.push(cur.trim());
        cur = '';
      } else cur += ch;
    }
    out.push(cur.trim());
  }
  const bad = out.find((e) => e === '');
  if (bad !== undefined) throw new UsageError(`--event: empty event name in ${JSON.stringify(values.join(','))}`);
  return out;
}

/** Turns raw INPUT_OPTIONS values into validated settings; `--nid N` must name a node of `topology`. */
export function normalizeInputOptions(raw: RawInputOptions, topology: Topology): InputSettings {
  const kind = raw.input ?? DEFAULT_INPUT_SETTINGS.kind;
  if (!['auto', 'csv', 'perf'].includes(kind)) throw new UsageError(`--input must be auto, csv or perf, got ${JSON.stringify(kind)}`);
  if (kind === 'csv') {
    const perfOnly = [raw.perfFields !== undefined ? '--perf-fields' : '', raw.event !== undefined ? '--event' : ''].filter((f) => f !== '');
    if (perfOnly.length > 0) throw new UsageError(`${perfOnly.join(' and ')} select${perfOnly.length === 1 ? 's' : ''} perf samples: not used with --input csv`);
  }
  const perfFields = raw.perfFields ?? null;
  if (perfFields !== null) parsePerfFields(perfFields); // refuses unknown fields up front
  const nid = raw.nid === undefined ? DEFAULT_INPUT_SETTINGS.nid : parseNidMode(raw.nid);
  if (typeof nid === 'number' && !topology.nodes.some((n) => n.id === nid)) {
    throw new UsageError(`--nid ${nid}: topology ${topology.name} has no node ${nid} (nodes ${topology.nodes.map((n) => n.id).join(', ')})`);
  }
  return {
    kind: kind as InputKind,
    perfFields,
    nid,
    pageSize: raw.pageSize === undefined ? DEFAULT_INPUT_SETTINGS.pageSize : parsePageSize(raw.pageSize),
    events: raw.event === undefined ? [] : splitEvents(raw.event),
    skipBad: raw.skipBad === true,
  };
}

/**
 * The trace inputs named on a command line: none means standard input. Standard input can be read once: a
 * second `-` would read nothing (the first one read it to its end), so it is refused rather than replayed empty.
 */
export function traceInputs(traces: readonly string[]): { name: string }[] {
  if (traces.filter((t) => t === '-').length > 1) throw new UsageError('standard input (-) can be given once');
  return (traces.length === 0 ? ['-'] : traces).map((name) => ({ name }));
}

/** Turns raw option values and trace names into validated settings. */
export function normalizeReplayOptions(
  raw: RawEngineOptions,
  traces: readonly string[],
  loadTopology: (arg: string) => Topology,
): ReplaySettings {
  if (!(ENGINE_NAMES as readonly string[]).includes(raw.engine)) {
    throw new UsageError(`--engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(raw.engine)}`);
  }
  const topology = loadTopology(raw.topology);
  const hz = parseIntOption('--hz', raw.hz, 1, 100000);
  const window = raw.window === undefined ? undefined : parseIntOption('--window', raw.window, 0, 0x7fffffff);
  const threshold = raw.threshold === undefined ? undefined : parseThreshold(raw.threshold);
  const period = raw.period === undefined ? undefined : parseIntOption('--period', raw.period, 1, 0x7fffffff);
  const rfc = validateRfcV1Config({
    hz,
    window_ms: window ?? RFC_V1_DEFAULTS.window_ms,
    threshold: threshold ?? RFC_V1_DEFAULTS.threshold,
    period_ms: period ?? RFC_V1_DEFAULTS.period_ms,
    default_node: raw.defaultNode === undefined ? RFC_V1_DEFAULTS.default_node : parseIntOption('--default-node', raw.defaultNode, 0, 0x7fffffff),
    hash_order: raw.hashOrder === undefined ? RFC_V1_DEFAULTS.hash_order : parseIntOption('--hash-order', raw.hashOrder, 1, 24),
    topology,
    demotion: raw.demotion === true,
  });
  const opt = <T>(v: T | undefined, key: string) => (v === undefined ? {} : { [key]: v });
  const pghot: PghotConfig = {
    hz,
    topology,
    precise: raw.pghotPrecise === true,
    ...opt(window, 'freq_window_ms'),
    ...opt(threshold, 'freq_threshold'),
    ...opt(period, 'kmigrated_sleep_ms'),
    ...opt(raw.targetNid === undefined ? undefined : parseIntOption('--target-nid', raw.targetNid, 0, 1023), 'target_nid'),
    ...opt(raw.batch === undefined ? undefined : parseIntOption('--batch', raw.batch, 1, 1 << 20), 'kmigrated_batch_nr'),
    ...opt(raw.rateLimit === undefined ? undefined : parseIntOption('--rate-limit', raw.rateLimit, 0, 0x7fffffff), 'promote_rate_limit_MBps'),
    ...opt(raw.sources === undefined ? undefined : parseIntOption('--sources', raw.sources, 0, 3, true), 'enabled_sources'),
  };
  // Validate pghot's tunables only when pghot runs: its ranges (e.g. kmigrated sleep >= 50 ms) are not rfc-v1's.
  if (raw.engine === 'pghot') resolvePghotConfig(pghot);
  const parser = raw.parser as ReplaySettings['parser'];
  const inputs = traceInputs(traces);
  const input = normalizeInputOptions(raw, topology);
  const parseThread = raw.parseThread ?? 'auto';
  if (parseThread !== 'auto' && parseThread !== 'on' && parseThread !== 'off') {
    throw new UsageError(`--parse-thread must be auto, on or off, got ${JSON.stringify(parseThread)}`);
  }
  return { engine: raw.engine as EngineName, rfc, pghot, topologySource: raw.topology, inputs, parser, input, parseThread };
}

/** The settings shown in the table, report and compare outputs (label, display text), for the engine that ran. */
export function settingsList(s: ReplaySettings): [string, string][] {
  const r = s.rfc;
  const common: [string, string][] = [
    // Names from files reach the terminal escaped (escape.ts).
    ['topology', `${escapeControl(s.topologySource)} (${escapeControl(r.topology.name)})`],
    ['hz', String(r.hz)],
  ];
  const traces: [string, string] = ['traces', s.inputs.map((i) => escapeControl(i.name)).join(' ')];
  if (s.engine === 'pghot') {
    const p = resolvePghotConfig(s.pghot);
    return [
      ...common,
      ['mode', p.precise ? 'precise (CONFIG_PGHOT_PRECISE)' : 'default'],
      ['window / threshold', `${p.freq_window_ms} ms / ${p.freq_threshold}`],
      ['kmigrated sleep / batch', `${p.kmigrated_sleep_ms} ms / ${p.kmigrated_batch_nr}`],
      ['target nid / rate limit', `${p.target_nid} / ${p.promote_rate_limit_MBps} MB/s`],
      ['enabled sources', `0x${p.enabled_sources.toString(16)}`],
      traces,
    ];
  }
  return [
    ...common,
    ['window / threshold', `${r.window_ms} ms / ${r.threshold}`],
    ['period', `${r.period_ms} ms`],
    ['default node / hash order', `${r.default_node} / ${r.hash_order}`],
    ...(r.demotion ? ([['demotion', 'on (kswapd model, see README)']] as [string, string][]) : []),
    traces,
  ];
}

/**
 * The settings of `--format json` (docs/kpromo-output.schema.json `settings`): typed values under the
 * tunables' own names (RfcV1Config / PghotConfig), for the engine that ran. Traces are the document's.
 */
export function settingsJson(s: ReplaySettings): Record<string, unknown> {
  const r = s.rfc;
  const common = { topology: { source: s.topologySource, name: r.topology.name }, hz: r.hz };
  if (s.engine === 'pghot') {
    const p = resolvePghotConfig(s.pghot);
    return {
      ...common,
      precise: p.precise,
      freq_window_ms: p.freq_window_ms,
      freq_threshold: p.freq_threshold,
      kmigrated_sleep_ms: p.kmigrated_sleep_ms,
      kmigrated_batch_nr: p.kmigrated_batch_nr,
      target_nid: p.target_nid,
      promote_rate_limit_MBps: p.promote_rate_limit_MBps,
      enabled_sources: p.enabled_sources,
    };
  }
  return {
    ...common,
    window_ms: r.window_ms,
    threshold: r.threshold,
    period_ms: r.period_ms,
    default_node: r.default_node,
    hash_order: r.hash_order,
    demotion: r.demotion,
  };
}
