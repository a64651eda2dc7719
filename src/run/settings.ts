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
import { DEFAULT_INPUT_SETTINGS, type InputKind, type InputSettings } from '../trace/input.js';
import { parsePerfFields } from '../trace/perf-fields.js';
import { checkPageSize, parseNidMode } from '../trace/perf-map.js';

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
  parseThread?: string;
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
  const parseThread = raw.parseThread ?? 'auto';
  if (parseThread !== 'auto' && parseThread !== 'on' && parseThread !== 'off') {
    throw new UsageError(`--parse-thread must be auto, on or off, got ${JSON.stringify(parseThread)}`);
  }
  return { engine: raw.engine as EngineName, rfc, pghot, topologySource: raw.topology, inputs, parser, input, parseThread };
}
