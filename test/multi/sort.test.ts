import { describe, expect, it } from 'vitest';
import type { MultiMetrics } from '../../src/multi/metrics.js';
import type { ConfigResult } from '../../src/multi/run-multi.js';
import { parseSort, sortResults } from '../../src/multi/sort.js';

const NONE: MultiMetrics = {
  promoted: null, candidates: null, dropped: null, fast_tier_share: null, instant_bound: null, share_of_instant: null, static_bound: null, share_of_static: null, share_of_bound: null, latency_p50: null, latency_p90: null,
  latency_p99: null, wasted: null, wasted_ratio: null, kernel_memory: null, tracked: null,
};

function result(label: string, m: Partial<MultiMetrics>, counters: Record<string, number> = {}): ConfigResult {
  return {
    label,
    engine: 'rfc-v1',
    counters: Object.entries(counters).map(([name, value]) => ({ name, value })),
    summary: { records: 0, passes: 0, tracked: 0, unexamined: [], first_pass: null, last_pass: null, free_pages: [], ignored: [] },
    metrics: { ...NONE, ...m },
  };
}

const COUNTERS = new Set(['kpromoted_mig_dropped']);

describe('parseSort', () => {
  it('refuses a key given twice (aliases and signs too): the second would never decide an order', () => {
    expect(() => parseSort('promoted,promoted', false, COUNTERS)).toThrow('--sort: promoted given twice: "promoted" in "promoted,promoted"');
    expect(() => parseSort('promoted,-promoted', false, COUNTERS)).toThrow('--sort: promoted given twice: "-promoted" in "promoted,-promoted"');
    expect(() => parseSort('p50,latency-p50', false, COUNTERS)).toThrow('--sort: latency_p50 given twice: "latency-p50" in "p50,latency-p50"');
  });

  it('reads keys, signs, aliases and --desc', () => {
    expect(parseSort('latency_p50,wasted', false, COUNTERS)).toEqual([
      { name: 'latency_p50', descending: false },
      { name: 'wasted', descending: false },
    ]);
    expect(parseSort('-promoted,p90', false, COUNTERS)).toEqual([
      { name: 'promoted', descending: true },
      { name: 'latency_p90', descending: false },
    ]);
    expect(parseSort('promoted,+wasted,latency-p99', true, COUNTERS)).toEqual([
      { name: 'promoted', descending: true },
      { name: 'wasted', descending: false },
      { name: 'latency_p99', descending: true },
    ]);
    expect(parseSort('kpromoted_mig_dropped', false, COUNTERS)).toEqual([{ name: 'kpromoted_mig_dropped', descending: false }]);
  });

  it('rejects an unknown key, quoting it', () => {
    expect(() => parseSort('promoted,speed', false, COUNTERS)).toThrow('--sort: unknown metric "speed"');
  });
});

describe('sortResults', () => {
  const rs = [
    result('a', { promoted: 5, wasted: 2, latency_p50: null }, { kpromoted_mig_dropped: 9 }),
    result('b', { promoted: 7, wasted: 1, latency_p50: 400 }, { kpromoted_mig_dropped: 1 }),
    result('c', { promoted: 5, wasted: 0, latency_p50: 100 }, { kpromoted_mig_dropped: 4 }),
    result('d', { promoted: 7, wasted: 1, latency_p50: 200 }, { kpromoted_mig_dropped: 4 }),
  ];
  const order = (text: string, desc = false) => sortResults(rs, parseSort(text, desc, COUNTERS)).map((r) => r.label);

  it('sorts ascending by default, ties in grid order', () => {
    expect(order('promoted')).toEqual(['a', 'c', 'b', 'd']);
    expect(order('wasted')).toEqual(['c', 'b', 'd', 'a']);
  });

  it('sorts descending with - or --desc, and by several keys', () => {
    expect(order('-promoted')).toEqual(['b', 'd', 'a', 'c']);
    expect(order('promoted,wasted', true)).toEqual(['b', 'd', 'a', 'c']);
    expect(order('-promoted,latency_p50')).toEqual(['d', 'b', 'c', 'a']);
  });

  it('puts n/a last in either direction', () => {
    expect(order('latency_p50')).toEqual(['c', 'd', 'b', 'a']);
    expect(order('-latency_p50')).toEqual(['b', 'd', 'c', 'a']);
  });

  it('sorts by a counter', () => {
    expect(order('kpromoted_mig_dropped,-promoted')).toEqual(['b', 'd', 'c', 'a']);
  });
});
