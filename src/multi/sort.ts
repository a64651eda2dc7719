/** `kpromo sweep --sort`: order results by metrics or counters, n/a last, ties in grid order. */
import { UsageError } from '../errors.js';
import { METRICS, type MetricKey } from './metrics.js';
import type { ConfigResult } from './run-multi.js';

/** One sort key: a metric (MultiMetrics key) or a counter name, and its direction. */
export interface SortKey {
  readonly name: string;
  readonly descending: boolean;
}

/** Metric names `--sort` accepts, with the aliases users type. */
const ALIASES: Readonly<Record<string, MetricKey>> = {
  wasted_promotions: 'wasted',
  p50: 'latency_p50',
  p90: 'latency_p90',
  p99: 'latency_p99',
  latency: 'latency_p50',
  share: 'fast_tier_share',
  of_bound: 'share_of_bound',
  of_instant: 'share_of_instant',
  of_static: 'share_of_static',
  memory: 'kernel_memory',
};

/** Default order: soonest promotion of the hot set, then fewest wasted promotions. */
export const DEFAULT_SORT = 'latency_p50,wasted';

const isMetric = (name: string): name is MetricKey => METRICS.some((m) => m.key === name);

/**
 * Parses `KEY[,KEY...]`; `-KEY` sorts that key descending, `desc` makes every key without a sign
 * descending. A key is a metric (METRICS), an alias, or a counter name of the engine (`counters`).
 */
export function parseSort(text: string, desc: boolean, counters: ReadonlySet<string>): SortKey[] {
  const seen = new Set<string>();
  return text.split(',').map((raw) => {
    let item = raw.trim();
    let descending = desc;
    if (item.startsWith('-')) {
      descending = true;
      item = item.slice(1);
    } else if (item.startsWith('+')) {
      descending = false;
      item = item.slice(1);
    }
    item = item.replace(/-/g, '_'); // latency-p50 = latency_p50
    const name = Object.hasOwn(ALIASES, item) ? ALIASES[item]! : item;
    if (!isMetric(name) && !counters.has(name)) {
      throw new UsageError(
        `--sort: unknown metric ${JSON.stringify(raw.trim())} (metrics: ${METRICS.map((m) => m.key).join(', ')}; or a counter name)`,
      );
    }
    // Refused rather than dropped: the later one would only ever compare equal values.
    if (seen.has(name)) throw new UsageError(`--sort: ${name} given twice: ${JSON.stringify(raw.trim())} in ${JSON.stringify(text)}`);
    seen.add(name);
    return { name, descending };
  });
}

/** What sorting needs of a result. */
export type Sortable = Pick<ConfigResult, 'metrics' | 'counters'>;

/** The value a key sorts by, null when the configuration cannot tell. */
export function sortValue(r: Sortable, name: string): number | null {
  if (isMetric(name)) return r.metrics[name];
  return r.counters.find((c) => c.name === name)?.value ?? null;
}

/** Returns the results sorted by `keys` (stable: ties keep grid order; n/a sorts last either way). */
export function sortResults<T extends Sortable>(results: readonly T[], keys: readonly SortKey[]): T[] {
  const values = new Map(results.map((r) => [r, keys.map((k) => sortValue(r, k.name))]));
  return [...results].sort((a, b) => {
    const va = values.get(a)!;
    const vb = values.get(b)!;
    for (let i = 0; i < keys.length; i++) {
      const x = va[i]!;
      const y = vb[i]!;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return keys[i]!.descending ? y - x : x - y;
    }
    return 0;
  });
}
