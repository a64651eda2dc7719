/**
 * Replay options, declared once (flags, help, default) and turned into commander options; normalize()
 * turns what the user typed into complete, validated ReplaySettings. Messages quote the bad value.
 */
import { Command, Option } from 'commander';
import { RFC_V1_DEFAULTS, validateRfcV1Config } from '../engine/config.js';
import { ENGINE_NAMES, type EngineName } from '../engine/registry.js';
import { PGHOT_DEFAULTS, resolvePghotConfig, type PghotConfig } from '../engine/pghot-config.js';
import type { Topology } from '../engine/topology.js';
import { UsageError } from '../errors.js';
import type { ReplaySettings } from '../run/replay.js';
import { DEFAULT_INPUT_SETTINGS, type InputKind, type InputSettings } from '../trace/input.js';
import { parsePerfFields } from '../trace/perf-fields.js';
import { checkPageSize, parseNidMode } from '../trace/perf-map.js';

/** One option as declared for commander. */
export interface OptionSpec {
  readonly flags: string;
  readonly description: string;
  readonly default?: string;
  readonly choices?: readonly string[];
  /** Custom value parser (commander argParser), e.g. to collect a repeated option. */
  readonly parse?: (value: string, previous: unknown) => unknown;
}

/** Output formats of `kpromo replay`. */
export const FORMATS = ['table', 'vmstat', 'json'] as const;

/** The default topology preset (SPEC 7). */
export const DEFAULT_TOPOLOGY = '2s-cxl';

/** Options shared by every command that replays a trace (replay, check's per-trace args). */
export const ENGINE_OPTIONS: readonly OptionSpec[] = [
  { flags: '--topology <file|preset>', description: 'topology JSON file or preset name', default: DEFAULT_TOPOLOGY },
  { flags: '--engine <name>', description: 'promotion engine', default: 'rfc-v1', choices: ENGINE_NAMES },
  { flags: '--hz <n>', description: 'CONFIG_HZ: jiffies per second', default: String(RFC_V1_DEFAULTS.hz) },
  { flags: '--window <ms>', description: `frequency window in ms (default: rfc-v1 ${RFC_V1_DEFAULTS.window_ms}, pghot ${PGHOT_DEFAULTS.freq_window_ms}, --pghot-precise ${PGHOT_DEFAULTS.freq_window_ms_precise})` },
  { flags: '--threshold <n>', description: `accesses in a window to be a candidate (default: ${RFC_V1_DEFAULTS.threshold})` },
  { flags: '--period <ms>', description: `daemon period in ms: KPROMOTE_DELAY / kmigrated_sleep_ms (default: rfc-v1 ${RFC_V1_DEFAULTS.period_ms}, pghot ${PGHOT_DEFAULTS.kmigrated_sleep_ms})` },
  { flags: '--default-node <nid>', description: 'hot_node of NUMA_NO_NODE (-1) accesses', default: String(RFC_V1_DEFAULTS.default_node) },
  { flags: '--hash-order <bits>', description: 'KPROMOTED_HASH_ORDER: log2 of the number of hash buckets', default: String(RFC_V1_DEFAULTS.hash_order) },
  { flags: '--demotion', description: 'rfc-v1: kswapd-style demotion of budgeted top-tier nodes (kpromo model; off = the patch as posted)' },
  { flags: '--pghot-precise', description: 'pghot: CONFIG_PGHOT_PRECISE (u32 record: nid, 3-bit frequency, 14-bit time)' },
  { flags: '--target-nid <nid>', description: `pghot: vm.pghot_target_nid (default: ${PGHOT_DEFAULTS.target_nid})` },
  { flags: '--batch <n>', description: `pghot: kmigrated_batch_nr (default: ${PGHOT_DEFAULTS.kmigrated_batch_nr})` },
  { flags: '--rate-limit <MBps>', description: `pghot: vm.pghot_promote_rate_limit_MBps (default: ${PGHOT_DEFAULTS.promote_rate_limit_MBps})` },
  { flags: '--sources <mask>', description: 'pghot: vm.pghot_enabled_sources, 0x1 hint faults, 0x2 hwhints (default: 0x3)' },
  { flags: '--parser <kind>', description: 'CSV parser: auto (byte-level fast path, csv-parse for anything unusual), fast, csv-parse', default: 'auto', choices: ['auto', 'fast', 'csv-parse'] },
];

/** Collects the values of a repeatable option. */
function collect(value: string, previous: unknown): string[] {
  return [...((previous as string[] | undefined) ?? []), value];
}

/** Input options of every command that reads traces (replay, convert): kind, perf mapping, --skip-bad. */
export const INPUT_OPTIONS: readonly OptionSpec[] = [
  { flags: '--input <kind>', description: 'input format: auto (sniff each input), csv or perf (perf script text)', default: 'auto', choices: ['auto', 'csv', 'perf'] },
  { flags: '--perf-fields <list>', description: 'perf: the list given to perf script -F (exact parsing; default: detect the shape from the first lines)' },
  { flags: '--nid <mode>', description: "perf: access nid: cpu (the node of the sample's CPU in the topology), none (-1) or a node number", default: 'cpu' },
  { flags: '--page-size <bytes>', description: 'perf: pfn = phys_addr / page size (4096, 4K, 2M, 1G)', default: '4096' },
  { flags: '--event <name>', description: 'perf: keep samples of this event (repeatable or comma list; default: memory events ibs_op, mem-loads, mem-stores)', parse: collect },
  { flags: '--skip-bad', description: 'skip malformed lines (counted by reason, the first few printed on stderr) instead of stopping' },
];

/** Options of `kpromo replay` beyond ENGINE_OPTIONS. */
export const REPLAY_OUTPUT_OPTIONS: readonly OptionSpec[] = [
  { flags: '--format <format>', description: 'output: table, vmstat or json', default: 'table', choices: FORMATS },
  { flags: '--events <file>', description: 'write one CSV line per record examined by a pass' },
  { flags: '--expect <golden>', description: 'compare counters with a vmstat-format golden file (exit 1 on mismatch)' },
  { flags: '--analysis', description: 'print analysis metrics: fast-tier share, promotion latency, wasted promotions, kernel memory' },
  { flags: '--timeline', description: 'print one row per migrate pass and daemon node (implies --analysis)' },
  { flags: '--bucket <seconds>', description: 'aggregate timeline rows into buckets of this many seconds' },
  { flags: '--timeline-csv <file>', description: 'write the timeline as CSV (implies --analysis)' },
  { flags: '--report <file.html>', description: 'write a self-contained HTML report with charts (implies --analysis)' },
  { flags: '--no-progress', description: 'no progress line on stderr (it is shown only on a terminal)' },
];

/** Adds declared options to a command. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const s of specs) {
    const o = new Option(s.flags, s.description);
    if (s.default !== undefined) o.default(s.default);
    if (s.choices) o.choices(s.choices);
    if (s.parse) o.argParser(s.parse);
    cmd.addOption(o);
  }
  return cmd;
}

/** Parses an integer option value (decimal, or 0x hex), quoting the value when it is not one. */
export function parseIntOption(flag: string, text: unknown, min: number, max: number): number {
  const s = String(text).trim();
  const ok = /^-?\d+$/.test(s) || /^0x[0-9a-f]+$/i.test(s);
  const v = ok ? Number(s) : NaN;
  if (!ok || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(s)}`);
  }
  return v;
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
  defaultNode: string;
  hashOrder: string;
  parser: string;
  /** INPUT_OPTIONS; absent for commands without them (defaults apply). */
  input?: string;
  perfFields?: string;
  nid?: string;
  pageSize?: string;
  event?: string[];
  skipBad?: boolean;
}

/** Raw values commander collected for INPUT_OPTIONS. */
export type RawInputOptions = Pick<RawEngineOptions, 'input' | 'perfFields' | 'nid' | 'pageSize' | 'event' | 'skipBad'>;

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1 << 10, M: 1 << 20, G: 1 << 30 };

/** Parses `--page-size`: bytes, or a number with a K, M or G suffix (binary units). */
export function parsePageSize(text: string): number {
  const m = /^([0-9]+)\s*([KMG]?)(?:i?B)?$/i.exec(text.trim());
  const v = m === null ? NaN : Number(m[1]) * UNITS[m[2]!.toUpperCase()]!;
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
  const perfFields = raw.perfFields ?? null;
  if (perfFields !== null) parsePerfFields(perfFields); // refuses unknown fields up front
  const nid = raw.nid === undefined ? DEFAULT_INPUT_SETTINGS.nid : parseNidMode(raw.nid.trim());
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
  const threshold = raw.threshold === undefined ? undefined : parseIntOption('--threshold', raw.threshold, -0x80000000, 0x7fffffff);
  const period = raw.period === undefined ? undefined : parseIntOption('--period', raw.period, 1, 0x7fffffff);
  const rfc = validateRfcV1Config({
    hz,
    window_ms: window ?? RFC_V1_DEFAULTS.window_ms,
    threshold: threshold ?? RFC_V1_DEFAULTS.threshold,
    period_ms: period ?? RFC_V1_DEFAULTS.period_ms,
    default_node: parseIntOption('--default-node', raw.defaultNode, 0, 0x7fffffff),
    hash_order: parseIntOption('--hash-order', raw.hashOrder, 1, 24),
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
    ...opt(raw.sources === undefined ? undefined : parseIntOption('--sources', raw.sources, 0, 3), 'enabled_sources'),
  };
  // Validate pghot's tunables only when pghot runs: its ranges (e.g. kmigrated sleep >= 50 ms) are not rfc-v1's.
  if (raw.engine === 'pghot') resolvePghotConfig(pghot);
  const parser = raw.parser as ReplaySettings['parser'];
  const inputs = (traces.length === 0 ? ['-'] : traces).map((name) => ({ name }));
  const input = normalizeInputOptions(raw, topology);
  return { engine: raw.engine as EngineName, rfc, pghot, topologySource: raw.topology, inputs, parser, input };
}
