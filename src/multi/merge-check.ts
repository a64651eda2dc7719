/**
 * `kpromo merge`: a part's rows checked against what the sweep itself would have written. A part is a file,
 * and a file can be edited or cut; the merge prints its rows as the sweep's own, so every value must be one
 * the sweep could have produced: the engine's counters exactly (each a count a counter holds), metrics that
 * follow from the counters or lie in their ranges, and each row's point and parameters those of the grid
 * position its index names.
 */
import { UsageError } from '../errors.js';
import { fractionOf, tighterBound } from '../analysis/bounds.js';
import { DEMOTION_COUNTER_NAMES, RFC_V1_COUNTER_NAMES } from '../engine/counters.js';
import { PGHOT_COUNTER_NAMES } from '../engine/pghot-config.js';
import type { Counter } from '../engine/types.js';
import { expandGrid, pointLabel, SWEEP_PARAMS, type SweepParam } from './grid.js';
import { METRICS, type MetricKey } from './metrics.js';
import type { SweepRow } from './render-sweep.js';

type Obj = Record<string, unknown>;

/** An error naming the part file, the result and the field. */
export function rowError(part: string, index: number, label: string, what: string): UsageError {
  return new UsageError(`merge: ${part}: result ${index} (${label}): ${what}`);
}

const shown = (v: unknown): string => JSON.stringify(v)?.slice(0, 80) ?? String(v);

/** A count as a counter holds it: a non-negative integer JavaScript represents exactly. */
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The counters of one result: exactly the engine's names in the engine's order (the rfc engines add the
 * demotion counters with --demotion), each a non-negative safe integer.
 */
export function readCounters(part: string, index: number, label: string, engine: string, obj: Obj): Counter[] {
  const base = engine === 'pghot' ? PGHOT_COUNTER_NAMES : RFC_V1_COUNTER_NAMES;
  const names = Object.keys(obj);
  const expected = engine !== 'pghot' && names.some((n) => DEMOTION_COUNTER_NAMES.includes(n)) ? [...base, ...DEMOTION_COUNTER_NAMES] : base;
  const bad = (what: string) => rowError(part, index, label, what);
  for (const n of expected) if (!Object.hasOwn(obj, n)) throw bad(`counters.${n} is missing (every counter of ${engine} is in a part)`);
  const extra = names.find((n) => !expected.includes(n));
  if (extra !== undefined) throw bad(`counters.${extra} is not a counter of ${engine}`);
  if (names.some((n, i) => n !== expected[i])) throw bad(`counters are not in ${engine}'s order`);
  return expected.map((name) => {
    const value = obj[name];
    if (!isCount(value)) throw bad(`counters.${name} must be a non-negative integer below 2^53, got ${shown(value)}`);
    return { name, value };
  });
}

/** What a metric must be: computed from other values, or only within a range. */
type Metrics = Record<MetricKey, number | null>;

/**
 * Checks a result's metrics: those that follow from its counters or from other metrics are recomputed and
 * must be equal (the same arithmetic the sweep did, so exactly equal); the rest lie in their ranges.
 */
export function checkMetrics(part: string, index: number, label: string, engine: string, m: Metrics, counters: readonly Counter[]): void {
  const bad = (key: MetricKey, what: string) => rowError(part, index, label, `metrics.${key} ${what}, got ${shown(m[key])}`);
  const get = (name: string) => counters.find((c) => c.name === name)?.value ?? null;
  const rfc = engine !== 'pghot';
  const derived: Partial<Metrics> = {
    promoted: rfc ? get('kpromoted_mig_promoted') : get('pgpromote_success'),
    candidates: rfc ? get('kpromoted_mig_candidate') : null,
    dropped: rfc ? get('kpromoted_mig_dropped') : null,
  };
  const unit = new Map(METRICS.map((s) => [s.key, s.unit]));
  // Ranges first: a derived value is only compared once its inputs are sane.
  for (const { key } of METRICS) {
    const v = m[key];
    if (v === null) continue;
    const u = unit.get(key);
    if ((u === 'count' || u === 'bytes') && !isCount(v)) throw bad(key, 'must be a non-negative integer or null');
    if (u === 'ms' && !(Number.isFinite(v) && v >= 0)) throw bad(key, 'must be a non-negative number of ms or null');
    if (u === 'share' && !(Number.isFinite(v) && v >= 0)) throw bad(key, 'must be a non-negative number or null');
  }
  for (const key of ['fast_tier_share', 'instant_bound', 'static_bound'] as const) {
    const v = m[key];
    if (v !== null && v > 1) throw bad(key, 'is a share of accesses: it must be in [0, 1]');
  }
  const share = m.fast_tier_share;
  Object.assign(derived, {
    share_of_instant: fractionOf(share, m.instant_bound),
    share_of_static: fractionOf(share, m.static_bound),
    share_of_bound: m.instant_bound === null ? null : fractionOf(share, tighterBound({ instant: m.instant_bound, static: m.static_bound })),
    wasted_ratio: m.wasted === null || m.promoted === null || m.promoted === 0 ? null : m.wasted / m.promoted,
  });
  const from: Partial<Record<MetricKey, string>> = {
    promoted: rfc ? 'counters.kpromoted_mig_promoted' : 'counters.pgpromote_success',
    candidates: rfc ? 'counters.kpromoted_mig_candidate' : 'pghot (none)',
    dropped: rfc ? 'counters.kpromoted_mig_dropped' : 'pghot (none)',
    share_of_instant: 'metrics.fast_tier_share / metrics.instant_bound',
    share_of_static: 'metrics.fast_tier_share / metrics.static_bound',
    share_of_bound: 'metrics.fast_tier_share / the tighter bound',
    wasted_ratio: 'metrics.wasted / metrics.promoted',
  };
  for (const [key, want] of Object.entries(derived) as [MetricKey, number | null][]) {
    if (m[key] !== want) throw bad(key, `is not ${from[key]} (${shown(want)})`);
  }
  const [p50, p90, p99] = [m.latency_p50, m.latency_p90, m.latency_p99];
  if (p50 !== null && p90 !== null && p99 !== null && !(p50 <= p90 && p90 <= p99)) throw bad('latency_p90', `must lie between latency_p50 and latency_p99`);
}

/**
 * Checks that the rows (every configuration of the grid, in grid order) are the grid: the axes are read off
 * the points in grid order, and then every row's point must be the one its index names, its label the
 * point's, each swept parameter the point's value and each other parameter the same in every row.
 */
export function checkGrid(rows: readonly SweepRow[], partOf: (index: number) => string, swept: readonly SweepParam[]): void {
  const bad = (r: SweepRow, what: string) => rowError(partOf(r.index), r.index, r.result.label, what);
  for (const r of rows) {
    const keys = Object.keys(r.point);
    if (keys.length !== swept.length || swept.some((k) => r.point[k] === undefined)) {
      throw bad(r, `point ${shown(r.point)} does not name the swept parameters ${swept.join(', ')}`);
    }
  }
  const seen = new Map<string, number>();
  for (const r of rows) {
    const key = JSON.stringify(swept.map((k) => r.point[k]));
    const other = seen.get(key);
    if (other !== undefined) throw bad(r, `point ${shown(r.point)} is also configuration ${other}'s`);
    seen.set(key, r.index);
  }
  const axes: [SweepParam, string[]][] = swept.map((k) => [k, [...new Set(rows.map((r) => r.point[k]!))]]);
  const grid = expandGrid(axes);
  if (grid.length !== rows.length) {
    throw new UsageError(`merge: the points of the parts make a grid of ${grid.length} configurations, the parts say ${rows.length}`);
  }
  const first = rows[0];
  const counterNames = JSON.stringify(first?.result.counters.map((c) => c.name));
  for (const r of rows) {
    if (JSON.stringify(r.result.counters.map((c) => c.name)) !== counterNames) {
      throw bad(r, `has other counters than configuration ${first!.index} (one sweep's results have the same counters)`);
    }
    const want = grid[r.index]!;
    for (const k of swept) if (r.point[k] !== want[k]) throw bad(r, `point.${k} is ${shown(r.point[k])}, configuration ${r.index} of the grid has ${shown(want[k])}`);
    if (r.result.label !== pointLabel(want)) throw bad(r, `label ${shown(r.result.label)} is not that of its point, ${shown(pointLabel(want))}`);
    for (const { key } of SWEEP_PARAMS) {
      const v = r.params[key];
      if (swept.includes(key)) {
        if (v !== Number(want[key])) throw bad(r, `params.${key} is ${shown(v)}, its point says ${want[key]}`);
      } else if (first && v !== first.params[key]) {
        throw bad(r, `params.${key} is ${shown(v)}, configuration ${first.index} has ${shown(first.params[key])} (only swept parameters differ)`);
      }
    }
  }
}
