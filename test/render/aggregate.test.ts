import { describe, it, expect } from 'vitest';
import type { TimelineRow } from '../../src/analysis/model.js';
import { ALL_NODES, COUNT_COLUMNS, aggregateRows, bucketRows, countPasses, mergeRows, passTotals, sumByTime } from '../../src/render/aggregate.js';
import { UsageError } from '../../src/errors.js';
import { row, syntheticRows } from './fixtures.js';

function sums(rows: readonly TimelineRow[], node?: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of COUNT_COLUMNS) out[c] = 0;
  for (const r of rows) if (node === undefined || r.node === node) for (const c of COUNT_COLUMNS) out[c]! += r[c];
  return out;
}

describe('mergeRows', () => {
  it('sums counts, keeps the last pass state and recomputes the share from the sums', () => {
    const a = row({ time: 10, seconds: 1, promoted: 2, accesses: 4, toptier_accesses: 1, tracked_after: 50, unexamined_after: 3, free_pages: { '0': 9 } });
    const b = row({ time: 20, seconds: 2, promoted: 5, accesses: 0, tracked_after: 40, unexamined_after: 1, free_pages: { '0': 7 } });
    const c = row({ time: 30, seconds: 3, failed: 1, accesses: 6, toptier_accesses: 6, tracked_after: 45, unexamined_after: 2, free_pages: { '0': 4 } });
    const m = mergeRows([a, b, c]);
    expect(m).toMatchObject({ time: 30, seconds: 3, promoted: 7, failed: 1, accesses: 10, toptier_accesses: 7 });
    expect(m).toMatchObject({ tracked_after: 45, unexamined_after: 2, free_pages: { '0': 4 } });
    // 7 of 10 accesses, not the mean of the per-row shares (0.25, null, 1)
    expect(m.fast_tier_share).toBe(0.7);
  });
});

describe('aggregateRows', () => {
  it('returns the rows unchanged when they fit', () => {
    const rows = syntheticRows(10);
    expect(aggregateRows(rows, 10)).toEqual(rows);
  });

  it('keeps at most maxRows rows and every column sum, overall and per node', () => {
    const rows = syntheticRows(10_001, 3, 7);
    for (const max of [1000, 999, 64, 7, 3]) {
      const out = aggregateRows(rows, max);
      expect(out.length).toBeLessThanOrEqual(max);
      expect(out.length).toBeGreaterThan(0);
      expect(sums(out)).toEqual(sums(rows));
      for (const n of [0, 1, 2]) expect(sums(out, n)).toEqual(sums(rows, n));
    }
  });

  it('merges passes node by node and keeps the last pass of each group', () => {
    // 4 passes x 2 nodes into 4 rows: passes {1,2} and {3,4}
    const rows = [1, 2, 3, 4].flatMap((t) => [0, 1].map((node) => row({ time: t, seconds: t, node, promoted: t * 10 + node, tracked_after: t })));
    const out = aggregateRows(rows, 4);
    expect(out.map((r) => [r.time, r.node, r.promoted, r.tracked_after])).toEqual([
      [2, 0, 30, 2],
      [2, 1, 32, 2],
      [4, 0, 70, 4],
      [4, 1, 72, 4],
    ]);
  });

  it('keeps one row per node when there are more nodes than maxRows', () => {
    const rows = syntheticRows(40, 4);
    const out = aggregateRows(rows, 2);
    expect(out.map((r) => r.node)).toEqual([0, 1, 2, 3]);
    expect(sums(out)).toEqual(sums(rows));
  });
});

describe('bucketRows', () => {
  it('merges passes of the same bucket, with the time of the last pass', () => {
    const rows = [0, 0.1, 0.2, 0.3, 0.5, 1.7].map((s, i) => row({ time: 1000 + i, seconds: s, examined: i + 1 }));
    const out = bucketRows(rows, 0.3);
    // buckets [0,0.3): 0, 0.1, 0.2; [0.3,0.6): 0.3, 0.5; [1.5,1.8): 1.7
    expect(out.map((r) => [r.time, r.seconds, r.examined])).toEqual([
      [1002, 0.2, 1 + 2 + 3],
      [1004, 0.5, 4 + 5],
      [1005, 1.7, 6],
    ]);
  });

  it('preserves sums per node', () => {
    const rows = syntheticRows(3000, 2, 3);
    const out = bucketRows(rows, 10);
    // passes every 1 s for 1500 s: 150 buckets x 2 nodes
    expect(out.length).toBe(300);
    expect(sums(out, 0)).toEqual(sums(rows, 0));
    expect(sums(out, 1)).toEqual(sums(rows, 1));
  });

  it('rejects a bucket that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => bucketRows([], bad)).toThrow(UsageError);
    }
  });
});

describe('sumByTime', () => {
  it('sums the nodes of each pass and keeps the pass-wide values', () => {
    const rows = [
      row({ time: 5, node: 0, promoted: 2, accesses: 4, toptier_accesses: 4, tracked_after: 100, unexamined_after: 7, free_pages: { '0': 1 } }),
      row({ time: 5, node: 1, promoted: 3, accesses: 4, toptier_accesses: 0, tracked_after: 100, unexamined_after: 7, free_pages: { '1': 2 } }),
      row({ time: 5, node: -1, accesses: 2, toptier_accesses: 1 }),
      row({ time: 6, node: 0, failed: 1, tracked_after: 90 }),
    ];
    const out = sumByTime(rows);
    expect(out.length).toBe(2);
    expect(out[0]).toMatchObject({ node: ALL_NODES, promoted: 5, accesses: 10, toptier_accesses: 5, fast_tier_share: 0.5 });
    expect(out[0]).toMatchObject({ tracked_after: 100, unexamined_after: 7, free_pages: { '0': 1, '1': 2 } });
    expect(out[1]).toMatchObject({ time: 6, failed: 1, tracked_after: 90, fast_tier_share: null });
  });
});

describe('passTotals', () => {
  it('equals aggregateRows over sumByTime, including uneven nodes per pass', () => {
    // drop some node rows so passes have 1, 2 or 3 rows and the last pass of a group may lack a node
    const rows = syntheticRows(3000, 3, 11).filter((_, i) => i % 7 !== 3);
    for (const max of [1, 2, 10, 333, 999, 5000]) {
      expect(passTotals(rows, max), String(max)).toEqual(aggregateRows(sumByTime(rows), max));
    }
  });

  it('counts passes as runs of equal time', () => {
    expect(countPasses([])).toBe(0);
    expect(countPasses([row({ time: 1 }), row({ time: 1, node: 1 }), row({ time: 2 }), row({ time: 1 })])).toBe(3);
  });
});
