/**
 * `kpromo sweep`'s grid: list-valued tunables (`1000,2000,5000`, `1000..5000:1000`) and their cartesian
 * product, first parameter varying slowest.
 */
import { UsageError } from '../errors.js';
import { INTEGER_TEXT } from '../run/settings.js';

/** Most configurations one sweep accepts: each engine holds its own tables, so memory grows with the grid. */
export const MAX_GRID = 4096;

/** The tunables a sweep can vary, as `--flag` and CSV column. */
export const SWEEP_PARAMS = [
  { flag: '--window', key: 'window' },
  { flag: '--threshold', key: 'threshold' },
  { flag: '--period', key: 'period' },
  { flag: '--hash-order', key: 'hash_order' },
  { flag: '--default-node', key: 'default_node' },
] as const;

/** One of SWEEP_PARAMS' keys. */
export type SweepParam = (typeof SWEEP_PARAMS)[number]['key'];

/** One point of the grid: a value for each swept parameter. */
export type GridPoint = Readonly<Partial<Record<SweepParam, string>>>;

/** A list item or range end: an integer as the single-value options take it (no 0x: none of these is a pfn or mask). */
const INT = INTEGER_TEXT;

/**
 * Parses `A,B,C`, ranges `A..B` and `A..B:STEP` (inclusive, STEP > 0) into a list of integer texts, in
 * the order given. A value given twice (`1,1`, `1..3,2..4`, `16,16..18`) is refused rather than dropped: the
 * grid would otherwise hold fewer configurations than the lists say. Values are checked against their range
 * later, by the engine settings; here only the list syntax, quoting the bad item.
 */
export function parseList(flag: string, text: string): string[] {
  const out: string[] = [];
  const bad = (item: string, why: string): UsageError =>
    new UsageError(`${flag}: ${why}: ${JSON.stringify(item)} in ${JSON.stringify(text)}`);
  const seen = new Set<string>();
  const add = (value: string, item: string): void => {
    if (seen.has(value)) throw bad(item, `value ${value} given twice`);
    seen.add(value);
    out.push(value);
  };
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') throw bad(item, 'empty item');
    const m = /^(.+?)\.\.(.+?)(?::(.+))?$/.exec(item);
    if (m === null) {
      if (!INT.test(item)) throw bad(item, 'expected an integer or a range A..B[:STEP]');
      if (!Number.isSafeInteger(Number(item))) throw bad(item, 'integer past 2^53 - 1');
      add(item, item);
      continue;
    }
    const [a, b, s] = [m[1]!.trim(), m[2]!.trim(), (m[3] ?? '1').trim()];
    if (![a, b, s].every((x) => INT.test(x))) throw bad(item, 'expected a range A..B[:STEP] of integers');
    const [from, to, step] = [Number(a), Number(b), Number(s)];
    // Past 2^53 - 1 a double rounds: the range would hold values the user never wrote.
    if (![from, to, step].every(Number.isSafeInteger)) throw bad(item, 'integer past 2^53 - 1');
    if (!(step > 0)) throw bad(item, 'range step must be > 0');
    if (from > to) throw bad(item, 'range start is greater than its end');
    if ((to - from) / step >= MAX_GRID) throw bad(item, `range has more than ${MAX_GRID} values`);
    for (let v = from; v <= to; v += step) add(String(v), item);
  }
  return out;
}

/** The cartesian product of the given lists (parameters without a list are left out), first slowest. */
export function expandGrid(lists: ReadonlyArray<readonly [SweepParam, readonly string[]]>): GridPoint[] {
  const size = lists.reduce((n, [, values]) => n * values.length, 1);
  if (size > MAX_GRID) {
    const dims = lists.map(([k, v]) => `${v.length} ${k}`).join(' x ');
    throw new UsageError(`sweep: ${dims} = ${size} configurations, more than ${MAX_GRID}`);
  }
  let points: GridPoint[] = [{}];
  for (const [key, values] of lists) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  }
  return points;
}

/**
 * A point's label: `window=1000 threshold=2` (the swept parameters). A sweep of one configuration has none:
 * its label names the values that differ from the engine's defaults (`fixed`, e.g. `window=1`), and is
 * `defaults` only when there are none.
 */
export function pointLabel(p: GridPoint, fixed: GridPoint = {}): string {
  const point = Object.keys(p).length > 0 ? p : fixed;
  const parts = SWEEP_PARAMS.filter((s) => point[s.key] !== undefined).map((s) => `${s.key}=${point[s.key]}`);
  return parts.length > 0 ? parts.join(' ') : 'defaults';
}
