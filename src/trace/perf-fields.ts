/**
 * `perf script -F` field lists and the fixed order in which perf prints fields.
 *
 * perf prints the requested fields in the order of its code (tools/perf/builtin-script.c:
 * perf_sample__fprintf_start() then process_event()), never in the order given to `-F`, so a
 * field list is enough to know the exact shape of every sample line.
 */
import { UsageError } from '../errors.js';

/**
 * Every `-F` field name, in the order `perf script` prints them (perf_sample__fprintf_start():
 * machine_pid .. time; process_event(): period .. ipc; srccode/metric print extra lines after).
 */
export const PERF_PRINT_ORDER = [
  'machine_pid', 'vcpu', 'comm', 'pid', 'tid', 'cpu', 'misc', 'tod', 'time',
  'period', 'event', 'flags', 'trace', 'synth',
  'addr', 'data_src', 'weight', 'ins_lat', 'retire_lat', 'cgroup',
  'ip', 'sym', 'symoff', 'dso', 'dsoff', 'srcline',
  'iregs', 'uregs', 'brstack', 'brstacksym', 'brstackoff', 'bpf-output',
  'insn', 'insnlen', 'disasm', 'brstackinsn', 'brstackinsnlen', 'brstackdisasm', 'brcntr',
  'phys_addr', 'data_page_size', 'code_page_size', 'ipc',
  'srccode', 'metric', 'callindent',
] as const;

/** A `perf script -F` field name. */
export type PerfField = (typeof PERF_PRINT_ORDER)[number];

/**
 * Fields that make perf print more than one line per sample (source lines, branch-stack
 * disassembly, metrics): kpromo reads one line per sample, so these are refused.
 */
export const MULTILINE_FIELDS: ReadonlySet<PerfField> = new Set<PerfField>([
  'srcline', 'srccode', 'metric', 'brstackinsn', 'brstackinsnlen', 'brstackdisasm', 'disasm',
  'callindent', 'brcntr',
]);

/** output[OUTPUT_TYPE_OTHER] / [PERF_TYPE_HARDWARE] defaults: what plain `perf script` prints for `ibs_op//`. */
export const DEFAULT_FIELDS_OTHER: readonly PerfField[] = [
  'comm', 'tid', 'cpu', 'time', 'event', 'ip', 'sym', 'symoff', 'dso', 'period',
];

/** output[PERF_TYPE_RAW] defaults: what plain `perf script` prints for Intel `cpu/mem-loads,ldlat=30/P`. */
export const DEFAULT_FIELDS_RAW: readonly PerfField[] = [
  ...DEFAULT_FIELDS_OTHER,
  'addr', 'data_src', 'weight', 'phys_addr', 'data_page_size', 'code_page_size', 'ins_lat', 'retire_lat',
];

/** The `-F` type prefixes of perf's help text (`hw:`, `sw:`, `trace:`, `raw:`, `synth:`). */
export const PERF_TYPE_PREFIXES = ['hw', 'sw', 'trace', 'raw', 'synth'] as const;

/** The fields perf prints for one sample line, and which of them a line may lack. */
export interface PerfShape {
  /** Printed fields, in perf's print order. */
  readonly printed: readonly PerfField[];
  /**
   * Fields perf may leave out: with `+`/`-` lists the fields come from perf's defaults, and perf
   * silently drops a default field the samples lack (evsel__do_check_stype()).
   */
  readonly optional: ReadonlySet<PerfField>;
  /** Where the shape came from: `fields` (--perf-fields) or `detected`. */
  readonly origin: 'fields' | 'detected';
}

const ORDER_INDEX = new Map<string, number>(PERF_PRINT_ORDER.map((f, i) => [f, i]));

/** True for a valid `-F` field name. */
export function isPerfField(name: string): name is PerfField {
  return ORDER_INDEX.has(name);
}

/** Sorts field names into perf's print order, dropping duplicates. */
export function inPrintOrder(fields: Iterable<PerfField>): PerfField[] {
  return [...new Set(fields)].sort((a, b) => ORDER_INDEX.get(a)! - ORDER_INDEX.get(b)!);
}

/** Builds a shape from printed fields (any order) and the subset that may be missing. */
export function makeShape(
  fields: Iterable<PerfField>,
  origin: PerfShape['origin'],
  optional: Iterable<PerfField> = [],
): PerfShape {
  const printed = inPrintOrder(fields);
  const opt = new Set<PerfField>();
  for (const f of optional) if (printed.includes(f)) opt.add(f);
  return { printed, optional: opt, origin };
}

/**
 * Parses the list given to `perf script -F` (`--perf-fields`).
 *
 * - `comm,tid,time,...`: exactly these fields; order does not matter (perf's order is fixed).
 * - A leading type prefix (`raw:comm,...`, `hw:`, `sw:`, `trace:`, `synth:`) is accepted and, for a
 *   plain list, ignored: kpromo reads one event type's lines (a dynamic PMU such as `ibs_op` cannot
 *   be named by a prefix at all, so its lines follow the un-prefixed list).
 * - `+field`/`-field` add to / remove from perf's defaults, as perf does; they cannot be mixed with
 *   plain names (perf: "Cannot set fields to 'none' and add/remove fields"). The defaults are the
 *   RAW-type defaults for `raw:` or no prefix (a superset of every other type's defaults) and the
 *   OTHER-type defaults for `hw:`/`sw:`/`synth:`; fields that come from the defaults are optional,
 *   because perf drops a default field the samples lack; added fields are required.
 * - `dsoff` implies `dso` (perf_session__check_output_opt()).
 * Refused: unknown names, fields that print extra lines per sample, and lists without `time`
 * (kpromo needs a time for every access).
 */
export function parsePerfFields(list: string): PerfShape {
  let text = list.trim();
  let prefix: string | null = null;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    prefix = text.slice(0, colon);
    if (!(PERF_TYPE_PREFIXES as readonly string[]).includes(prefix)) {
      throw new UsageError(`--perf-fields: unknown event type prefix ${JSON.stringify(prefix + ':')} in ${JSON.stringify(list)} (one of ${PERF_TYPE_PREFIXES.map((p) => p + ':').join(', ')})`);
    }
    text = text.slice(colon + 1);
  }
  const tokens = text.split(',').map((t) => t.trim()).filter((t) => t !== '');
  if (tokens.length === 0) throw new UsageError(`--perf-fields: empty field list ${JSON.stringify(list)}`);
  let mode: 'set' | 'change' | null = null;
  const set = new Set<PerfField>();
  const added = new Set<PerfField>();
  const removed = new Set<PerfField>();
  for (const tok of tokens) {
    const sign = tok[0] === '+' || tok[0] === '-' ? tok[0] : '';
    const name = sign ? tok.slice(1) : tok;
    const m = sign ? 'change' : 'set';
    if (mode !== null && mode !== m) {
      throw new UsageError(`--perf-fields: cannot mix plain names with +/- names in ${JSON.stringify(list)} (perf refuses this too)`);
    }
    mode = m;
    if (!isPerfField(name)) throw new UsageError(`--perf-fields: unknown perf script field ${JSON.stringify(name)} in ${JSON.stringify(list)}`);
    if (sign === '+') { added.add(name); removed.delete(name); }
    else if (sign === '-') { removed.add(name); added.delete(name); }
    else set.add(name);
  }
  let fields: Set<PerfField>;
  let optional: Set<PerfField>;
  if (mode === 'set') {
    fields = set;
    optional = new Set();
  } else {
    const base = prefix === null || prefix === 'raw' ? DEFAULT_FIELDS_RAW : DEFAULT_FIELDS_OTHER;
    fields = new Set(base);
    optional = new Set(base);
    for (const f of removed) { fields.delete(f); optional.delete(f); }
    for (const f of added) { fields.add(f); optional.delete(f); }
  }
  if (fields.has('dsoff')) fields.add('dso');
  for (const f of fields) {
    if (MULTILINE_FIELDS.has(f)) throw new UsageError(`--perf-fields: field ${JSON.stringify(f)} makes perf print several lines per sample; kpromo reads one line per sample`);
  }
  if (!fields.has('time')) throw new UsageError(`--perf-fields: ${JSON.stringify(list)} has no "time" field; kpromo needs the sample time`);
  return makeShape(fields, 'fields', optional);
}

/** Formats a shape as a `-F` list in print order, for messages (`comm,tid,cpu,...`). */
export function shapeToString(shape: PerfShape): string {
  return shape.printed.map((f) => (shape.optional.has(f) ? f + '?' : f)).join(',');
}
