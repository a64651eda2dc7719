import { describe, it, expect } from 'vitest';
import { Chalk } from 'chalk';
import { renderTimelineTable } from '../../src/render/timeline-table.js';
import { row, syntheticRows } from './fixtures.js';

const plain = new Chalk({ level: 0 });

/** Data lines of the table (between the header and the bottom border), as trimmed cells. */
function cells(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .slice(1)
    .map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
}

describe('renderTimelineTable', () => {
  it('prints one line per row with the dropped reasons summed', () => {
    const r = row({
      seconds: 1.5,
      node: 1,
      examined: 9,
      candidates: 4,
      promoted: 3,
      failed: 1,
      dropped_cold_old: 2,
      dropped_not_accessed: 1,
      dropped_right_node: 1,
      dropped_offline: 1,
      accesses: 8,
      toptier_accesses: 2,
      ignored_accesses: 1,
      tracked_peak: 90,
      tracked_after: 77,
      unexamined_after: 6,
    });
    const text = renderTimelineTable([r, row({ node: -1, accesses: 0 })], plain);
    expect(cells(text)).toEqual([
      ['1.500', '1', '9', '4', '3', '1', '5', '8', '1', '25.0%', '90', '77', '6'],
      ['0.000', 'none', '0', '0', '0', '0', '0', '0', '0', 'n/a', '0', '0', '0'],
    ]);
    expect(text).not.toContain('rows shown');
  });

  it('merges rows beyond maxRows, keeps the totals and says how many are shown', () => {
    const rows = syntheticRows(100, 2);
    const text = renderTimelineTable(rows, plain, 10);
    const shown = cells(text);
    expect(shown.length).toBe(10);
    expect(text).toContain('10 of 100 rows shown; use --timeline-csv for all');
    const promoted = (list: string[][]): number => list.reduce((s, c) => s + Number(c[4]), 0);
    expect(promoted(shown)).toBe(rows.reduce((s, r) => s + r.promoted, 0));
  });

  it('prints no escape codes at colour level 0', () => {
    expect(renderTimelineTable(syntheticRows(5), plain)).not.toContain('\u001b[');
  });

  it('says so when there are no passes', () => {
    expect(renderTimelineTable([], plain)).toContain('no migrate passes');
  });
});
