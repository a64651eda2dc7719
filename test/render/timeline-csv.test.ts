import { describe, it, expect } from 'vitest';
import { timelineCsvHeader, timelineCsvRows } from '../../src/render/timeline-csv.js';
import { row } from './fixtures.js';

describe('timelineCsvHeader', () => {
  it('lists the fixed columns, then one free_pages column per budgeted node', () => {
    expect(timelineCsvHeader([0, 2])).toBe(
      'time,seconds,node,examined,candidates,promoted,failed,dropped_cold_old,dropped_not_accessed,' +
        'dropped_right_node,dropped_non_lru,dropped_offline,accesses,toptier_accesses,ignored_accesses,fast_tier_share,' +
        'tracked_peak,tracked_after,unexamined_after,free_pages_node0,free_pages_node2\n',
    );
  });

  it('has no free_pages columns without budgeted nodes', () => {
    expect(timelineCsvHeader([]).trimEnd().split(',').at(-1)).toBe('unexamined_after');
  });
});

describe('timelineCsvRows', () => {
  it('writes every column, seconds with 3 decimals and the share with 6', () => {
    const r = row({
      time: 1250,
      seconds: 1,
      node: 1,
      examined: 10,
      candidates: 4,
      promoted: 3,
      failed: 1,
      dropped_cold_old: 2,
      dropped_not_accessed: 1,
      dropped_right_node: 1,
      dropped_non_lru: 1,
      dropped_offline: 1,
      accesses: 3,
      toptier_accesses: 2,
      ignored_accesses: 1,
      tracked_peak: 50,
      tracked_after: 42,
      unexamined_after: 5,
      free_pages: { '0': 100, '2': 7 },
    });
    // 2/3 = 0.666666.. -> 0.666667
    expect(timelineCsvRows([r], [0, 2])).toBe('1250,1.000,1,10,4,3,1,2,1,1,1,1,3,2,1,0.666667,50,42,5,100,7\n');
  });

  it('leaves the share empty without accesses and a free_pages cell empty when the row has no value', () => {
    const r = row({ time: 1001, seconds: 0.004, node: -1, tracked_peak: 11, tracked_after: 9, free_pages: { '0': 3 } });
    expect(timelineCsvRows([r], [0, 1])).toBe('1001,0.004,-1,0,0,0,0,0,0,0,0,0,0,0,0,,11,9,0,3,\n');
  });

  it('writes one line per row in order, and nothing for no rows', () => {
    const rows = [row({ time: 1 }), row({ time: 2, seconds: 0.0125 })];
    const lines = timelineCsvRows(rows, []).split('\n');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['1', '2', '']);
    expect(lines[1]!.split(',')[1]).toBe('0.013');
    expect(timelineCsvRows([], [0])).toBe('');
  });
});
