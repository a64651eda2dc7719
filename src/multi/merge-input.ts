/**
 * `kpromo merge`: the `input` object of the parts (what the read of the traces read and skipped: report/json.ts's
 * inputJson). Every part that ran a configuration read the whole traces, so its counts are the traces', not a
 * share of them: the parts must agree, and the merge carries them once, as the unsharded sweep writes them. A
 * part that ran no configuration read nothing (`records` and `input` null).
 */
import { UsageError } from '../errors.js';
import type { InputJson } from '../report/json.js';
import { PERF_SKIP_REASONS } from '../trace/perf-map.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A count as a read holds it: a non-negative integer JavaScript represents exactly. */
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const shown = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v)?.slice(0, 80) ?? String(v)));

/** The keys inputJson writes, in its order (perf only for perf input). */
const INPUT_KEYS = ['records', 'bytes', 'files', 'skipped', 'formats', 'bad_lines_by_reason', 'perf'];
const PERF_KEYS = ['samples', 'records', 'non_sample_lines', 'skipped_by_reason', 'events', 'fields'];

/**
 * A part's `input`, checked to be one the sweep could have written: null exactly when `records` is (a part with no
 * configuration), else inputJson's keys with counts where counts belong and `input.records` equal to `records`.
 */
export function readInput(name: string, doc: Obj, records: number | null): InputJson | null {
  const v = doc['input'];
  const bad = (what: string) => new UsageError(`merge: ${name}: ${what}`);
  if (records === null) {
    if (v !== null) throw bad(`"input" must be null in a part that read nothing ("records" null), got ${shown(v)}`);
    return null;
  }
  if (!isObj(v)) {
    throw bad(`"input" must be an object (what the read of the traces read and skipped), got ${shown(v)}${v === undefined ? ': make the parts again with this kpromo' : ''}`);
  }
  const keys = (o: Obj, path: string, want: readonly string[], required: readonly string[]) => {
    for (const k of required) if (!Object.hasOwn(o, k)) throw bad(`${path}.${k} is missing`);
    const extra = Object.keys(o).find((k) => !want.includes(k));
    if (extra !== undefined) throw bad(`${path}.${extra} is not a field of ${path}`);
  };
  const count = (o: Obj, path: string, k: string) => {
    if (!isCount(o[k])) throw bad(`${path}.${k} must be a non-negative integer below 2^53, got ${shown(o[k])}`);
  };
  const counts = (o: Obj, path: string, k: string) => {
    const m = o[k];
    if (!isObj(m)) throw bad(`${path}.${k} must be an object of counts, got ${shown(m)}`);
    for (const key of Object.keys(m)) count(m, `${path}.${k}`, key);
  };
  const strings = (o: Obj, path: string, k: string) => {
    const l = o[k];
    if (!Array.isArray(l) || !l.every((x) => typeof x === 'string')) throw bad(`${path}.${k} must be a list of strings, got ${shown(l)}`);
  };
  keys(v, 'input', INPUT_KEYS, INPUT_KEYS.slice(0, -1));
  for (const k of ['records', 'bytes', 'files', 'skipped']) count(v, 'input', k);
  if (v['records'] !== records) throw bad(`input.records ${shown(v['records'])} is not "records" ${records}`);
  strings(v, 'input', 'formats');
  counts(v, 'input', 'bad_lines_by_reason');
  if (Object.hasOwn(v, 'perf')) {
    const p = v['perf'];
    if (!isObj(p)) throw bad(`input.perf must be an object, got ${shown(p)}`);
    keys(p, 'input.perf', PERF_KEYS, PERF_KEYS);
    for (const k of ['samples', 'records', 'non_sample_lines']) count(p, 'input.perf', k);
    counts(p, 'input.perf', 'skipped_by_reason');
    keys(p['skipped_by_reason'] as Obj, 'input.perf.skipped_by_reason', PERF_SKIP_REASONS, PERF_SKIP_REASONS);
    counts(p, 'input.perf', 'events');
    strings(p, 'input.perf', 'fields');
  }
  return v as InputJson;
}

/** The first place two JSON values differ, as [path, a's value, b's value]; null when they are the same. */
function firstDifference(a: unknown, b: unknown, path: string): [string, unknown, unknown] | null {
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDifference(a[k], b[k], `${path}.${k}`);
      if (d !== null) return d;
    }
    // Same keys and values in another order: the documents still differ.
    return JSON.stringify(a) === JSON.stringify(b) ? null : [path, a, b];
  }
  return JSON.stringify(a) === JSON.stringify(b) ? null : [path, a, b];
}

/** The `input` every part that read the traces has, once; refuses parts that read them differently, naming both. */
export function agreedInput(parts: ReadonlyArray<{ readonly name: string; readonly input: InputJson | null }>): InputJson | null {
  const read = parts.filter((p) => p.input !== null);
  const first = read[0];
  if (first === undefined) return null;
  for (const p of read.slice(1)) {
    const d = firstDifference(p.input, first.input, 'input');
    if (d !== null) {
      throw new UsageError(
        `merge: ${p.name} and ${first.name} read the traces differently: ${p.name} has ${d[0]} ${shown(d[1])}, ${first.name} has ${shown(d[2])} ` +
          '(every part reads the whole traces with the same options: the traces changed between the parts?)',
      );
    }
  }
  return first.input;
}

/**
 * stderr lines saying what the parts' read skipped: bad lines (`--skip-bad`) by reason, perf samples by reason; ''
 * when it skipped nothing. The sweep said so on its stderr; the merge, whose table and CSV have no place for them,
 * says it again.
 */
export function inputSkipNotes(input: InputJson | null): string {
  if (input === null) return '';
  let out = '';
  const skipped = input['skipped'] as number;
  if (skipped > 0) {
    const reasons = Object.entries(input['bad_lines_by_reason'] as Record<string, number>)
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    out += `kpromo: the parts' read of the traces skipped ${skipped} bad line${skipped === 1 ? '' : 's'} (${reasons})\n`;
  }
  const perf = input['perf'] as { skipped_by_reason: Record<string, number> } | undefined;
  if (perf !== undefined) {
    const text = PERF_SKIP_REASONS.filter((r) => r !== 'bad_line' && perf.skipped_by_reason[r]! > 0)
      .map((r) => `${r} ${perf.skipped_by_reason[r]}`)
      .join(', ');
    if (text !== '') out += `kpromo: perf samples skipped by reason: ${text}\n`;
  }
  return out;
}
