/**
 * `kpromo merge`: the parts of a sharded sweep (`kpromo sweep --shard K/N --format json`) back into the rows
 * of the whole sweep, in grid order, after checking that the parts belong together and cover it exactly once.
 * Pure: parts come in as parsed JSON with the name they were read from.
 */
import { UsageError } from '../errors.js';
import { ENGINE_NAMES } from '../engine/registry.js';
import { SCHEMA_VERSION } from '../report/json.js';
import { SWEEP_PARAMS, type GridPoint, type SweepParam } from './grid.js';
import { checkGrid, checkMetrics, readCounters, rowError } from './merge-check.js';
import { agreedInput, readInput } from './merge-input.js';
import type { InputJson } from '../report/json.js';
import { METRICS, type MultiMetrics } from './metrics.js';
import type { ShardInfo, SweepMeta, SweepRow } from './render-sweep.js';
import type { SortKey } from './sort.js';

/** A part as read: where from, and its parsed JSON. */
export interface PartDoc {
  readonly name: string;
  readonly doc: unknown;
}

/** The whole sweep rebuilt from its parts. */
export interface Merged {
  /** Rows in grid order. */
  readonly rows: SweepRow[];
  readonly meta: SweepMeta;
  /** The sort every part was made with; null when they differ (merge then needs --sort). */
  readonly sort: SortKey[] | null;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumOrNull = (v: unknown): v is number | null => v === null || typeof v === 'number';

function partError(name: string, why: string): UsageError {
  return new UsageError(`merge: ${name}: ${why}`);
}

function field<T>(name: string, o: Obj, key: string, ok: (v: unknown) => v is T, what: string): T {
  const v = o[key];
  // A number JSON.parse made Infinity (1e999) is shown as such, not as JSON's null.
  if (!ok(v)) throw partError(name, `"${key}" must be ${what}, got ${typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 80)}`);
  return v;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isSort = (v: unknown): v is SortKey[] =>
  Array.isArray(v) && v.every((k) => isObj(k) && isString(k['name']) && typeof k['descending'] === 'boolean');

/** One part's header and rows, checked. */
interface Part {
  readonly name: string;
  readonly engine: string;
  readonly traces: string[];
  readonly records: number | null;
  /** What its read read and skipped; null when it read nothing. */
  readonly input: InputJson | null;
  readonly total: number;
  readonly sort: SortKey[];
  readonly shard: ShardInfo;
  readonly swept: SweepParam[];
  readonly rows: SweepRow[];
}

function readRow(name: string, r: unknown, total: number, partEngine: string): SweepRow {
  if (!isObj(r)) throw partError(name, `a result is not an object`);
  const index = field(name, r, 'index', isInt, 'the configuration\'s grid index (a part of `kpromo sweep --shard K/N --format json`)');
  if (index < 0 || index >= total) throw partError(name, `result index ${index} is outside the grid of ${total}`);
  const label = field(name, r, 'label', isString, 'a string');
  const bad = (what: string) => rowError(name, index, label, what);
  const engine = field(name, r, 'engine', isString, 'a string');
  if (engine !== partEngine) throw bad(`engine ${JSON.stringify(engine)} is not the part's engine ${JSON.stringify(partEngine)}`);
  const pointObj = field(name, r, 'point', isObj, 'an object');
  const point: Partial<Record<SweepParam, string>> = {};
  for (const [k, v] of Object.entries(pointObj)) {
    if (!SWEEP_PARAMS.some((p) => p.key === k) || !isString(v)) throw bad(`bad point ${JSON.stringify(pointObj)}`);
    point[k as SweepParam] = v;
  }
  const paramsObj = field(name, r, 'params', isObj, 'an object');
  const params = {} as Record<SweepParam, number | null>;
  for (const { key } of SWEEP_PARAMS) {
    const v = paramsObj[key];
    // rfc engines have every sweep parameter; pghot has no hash_order or default_node (null).
    const none = engine === 'pghot' && (key === 'hash_order' || key === 'default_node');
    if (none ? v !== null : !isInt(v)) throw bad(`params.${key} must be ${none ? 'null (pghot has no such tunable)' : 'an integer'}, got ${JSON.stringify(v)?.slice(0, 80)}`);
    params[key] = v as number | null;
  }
  const metricsObj = field(name, r, 'metrics', isObj, 'an object');
  const metrics = {} as Record<keyof MultiMetrics, number | null>;
  for (const { key } of METRICS) {
    const v = metricsObj[key];
    if (!isNumOrNull(v)) throw bad(`metrics.${key} must be a number or null, got ${JSON.stringify(v)?.slice(0, 80)}`);
    metrics[key] = v;
  }
  const counters = readCounters(name, index, label, engine, field(name, r, 'counters', isObj, 'an object'));
  checkMetrics(name, index, label, engine, metrics, counters);
  const ignored = r['ignored_total'];
  if (!isInt(ignored) || ignored < 0) throw bad(`ignored_total must be a non-negative integer (accesses the engine ignored), got ${JSON.stringify(ignored)?.slice(0, 80)}`);
  return { index, point: point as GridPoint, params, result: { label, engine, counters, metrics, ignored_total: ignored } };
}

function readPart({ name, doc }: PartDoc): Part {
  if (!isObj(doc)) throw partError(name, 'not a JSON object');
  if (doc['schema_version'] !== SCHEMA_VERSION) {
    throw partError(name, `schema_version ${JSON.stringify(doc['schema_version'])?.slice(0, 40)} is not ${SCHEMA_VERSION}, the one this kpromo writes and reads`);
  }
  if (doc['kind'] !== 'sweep') throw partError(name, `kind ${JSON.stringify(doc['kind'])?.slice(0, 40)} is not "sweep": make parts with \`kpromo sweep --shard K/N --format json\``);
  const shardObj = doc['shard'];
  if (!isObj(shardObj)) throw partError(name, 'not a part of a sharded sweep (no "shard": make parts with `kpromo sweep --shard K/N --format json`)');
  const index = field(name, shardObj, 'index', isInt, 'an integer');
  const count = field(name, shardObj, 'count', isInt, 'an integer');
  if (count < 1 || index < 1 || index > count) throw partError(name, `bad shard ${index}/${count}`);
  const sweep = field(name, shardObj, 'sweep', isString, 'a string');
  const swept = field(name, shardObj, 'swept', isStrings, 'a list of parameter names') as SweepParam[];
  const total = field(name, doc, 'configurations', isInt, 'an integer');
  const records = field(name, doc, 'records', (v): v is number | null => v === null || (isInt(v) && v >= 0), 'a non-negative integer or null');
  const results = field(name, doc, 'results', Array.isArray, 'a list');
  const engine = field(name, doc, 'engine', isString, 'a string');
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) throw partError(name, `unknown engine ${JSON.stringify(engine)}`);
  if (swept.some((k, i) => !SWEEP_PARAMS.some((p) => p.key === k) || swept.indexOf(k) !== i)) throw partError(name, `bad shard.swept ${JSON.stringify(swept)}`);
  return {
    name,
    engine,
    traces: field(name, doc, 'traces', isStrings, 'a list of names'),
    records,
    input: readInput(name, doc, records),
    total,
    sort: field(name, doc, 'sort', isSort, 'a list of sort keys'),
    shard: { index, count, sweep },
    swept,
    rows: (results as unknown[]).map((r) => readRow(name, r, total, engine)),
  };
}

/** Merges parts into the whole sweep; throws a UsageError naming the part and what is wrong. */
export function mergeParts(docs: readonly PartDoc[]): Merged {
  if (docs.length === 0) throw new UsageError('merge: no parts given');
  const parts = docs.map(readPart);
  const first = parts[0]!;
  for (const p of parts.slice(1)) {
    // Name the field that differs; the sweep's identity last (it covers the traces, grid and every option).
    const fields: [string, unknown, unknown][] = [
      ['engine', p.engine, first.engine],
      ['configurations', p.total, first.total],
      ['shard.swept', p.swept, first.swept],
      ['shard.count', p.shard.count, first.shard.count],
      ['traces', p.traces, first.traces],
    ];
    for (const [key, a, b] of fields) {
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        const what = key === 'shard.count' ? `part ${p.shard.index} of ${p.shard.count}, ${first.name} is part ${first.shard.index} of ${first.shard.count}` : `${key} ${JSON.stringify(a)?.slice(0, 80)}, ${first.name} has ${JSON.stringify(b)?.slice(0, 80)}`;
        throw new UsageError(`merge: ${p.name} and ${first.name} are not parts of one sweep: ${p.name} has ${what}`);
      }
    }
    if (p.shard.sweep !== first.shard.sweep) {
      throw new UsageError(
        `merge: ${p.name} is a part of another sweep than ${first.name} (shard.sweep ${p.shard.sweep} vs ${first.shard.sweep}: the traces, topology or other options differ)`,
      );
    }
  }
  const byIndex = new Map<number, Part>();
  for (const p of parts) {
    const other = byIndex.get(p.shard.index);
    if (other) throw new UsageError(`merge: ${other.name} and ${p.name} are both part ${p.shard.index} of ${p.shard.count}`);
    byIndex.set(p.shard.index, p);
  }
  const missing: number[] = [];
  for (let k = 1; k <= first.shard.count && missing.length <= 20; k++) if (!byIndex.has(k)) missing.push(k);
  if (missing.length > 0) {
    const list = missing.length > 20 ? `${missing.slice(0, 20).join(', ')}, ...` : missing.join(', ');
    throw new UsageError(`merge: missing part${missing.length === 1 ? '' : 's'} ${list} of ${first.shard.count}`);
  }
  const rows: (SweepRow | undefined)[] = new Array(first.total);
  for (const p of parts) {
    for (const r of p.rows) {
      if (rows[r.index] !== undefined) throw new UsageError(`merge: configuration ${r.index} (${r.result.label}) is in more than one part (${p.name})`);
      rows[r.index] = r;
    }
  }
  const absent = rows.findIndex((r) => r === undefined);
  if (absent >= 0) throw new UsageError(`merge: no part holds configuration ${absent} of ${first.total} (a part was cut short?)`);
  const partOf = new Map(parts.flatMap((p) => p.rows.map((r) => [r.index, p.name] as const)));
  checkGrid(rows as SweepRow[], (i) => partOf.get(i)!, first.swept);
  const withRecords = parts.filter((p) => p.records !== null);
  for (const p of withRecords) {
    if (p.records !== withRecords[0]!.records) {
      throw new UsageError(`merge: ${p.name} read ${p.records} records, ${withRecords[0]!.name} ${withRecords[0]!.records}: the traces changed between the parts`);
    }
  }
  // Every part that ran a configuration read the whole traces: their counts are the traces', carried once.
  const input = agreedInput(parts);
  const sortText = JSON.stringify(first.sort);
  const sortDiffers = parts.find((p) => JSON.stringify(p.sort) !== sortText);
  return {
    rows: rows as SweepRow[],
    meta: { engine: first.engine, swept: first.swept, traces: first.traces, records: withRecords[0]?.records ?? 0, input, total: first.total },
    sort: sortDiffers ? null : first.sort,
  };
}
