import { describe, it, expect } from 'vitest';
import { Chalk } from 'chalk';
import { stripVTControlCharacters } from 'node:util';
import { DEFAULT_CHART_WIDTH, renderTerminalChart } from '../../src/render/chart.js';
import { row, syntheticRows } from './fixtures.js';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });

function widest(text: string): number {
  return Math.max(...stripVTControlCharacters(text).split('\n').map((l) => Array.from(l).length));
}

describe('renderTerminalChart', () => {
  const cases = { none: [], one: syntheticRows(1), few: syntheticRows(6, 2), many: syntheticRows(2000, 3) };

  it('never exceeds the given width, with or without colour', () => {
    for (const [name, rows] of Object.entries(cases)) {
      for (let w = 40; w <= 200; w++) {
        for (const c of [plain, colour]) {
          expect(widest(renderTerminalChart(rows, w, c)), `${name} at ${w}`).toBeLessThanOrEqual(w);
        }
      }
    }
  });

  it('still fits very narrow widths', () => {
    for (const w of [1, 5, 10, 14, 15, 20]) expect(widest(renderTerminalChart(cases.many, w, colour))).toBeLessThanOrEqual(w);
  });

  it('uses 80 columns when the width is unknown', () => {
    const text = renderTerminalChart(cases.many, Number.NaN, plain);
    expect(widest(text)).toBeLessThanOrEqual(DEFAULT_CHART_WIDTH);
    expect(text).toBe(renderTerminalChart(cases.many, 80, plain));
  });

  it('prints no escape codes at colour level 0, and the same text as with colour', () => {
    const text = renderTerminalChart(cases.many, 100, plain);
    expect(text).not.toContain('\u001b[');
    expect(renderTerminalChart(cases.many, 100, colour)).toContain('\u001b[');
    expect(stripVTControlCharacters(renderTerminalChart(cases.many, 100, colour))).toBe(text);
  });

  it('says so when there are no passes', () => {
    expect(renderTerminalChart([], 80, plain)).toBe('timeline chart: no migrate passes\n');
  });

  it('draws a single pass as one full slot', () => {
    const text = renderTerminalChart([row({ promoted: 4, accesses: 2, toptier_accesses: 2 })], 40, plain);
    const lines = text.split('\n');
    // gutter of 7 columns (6 for the label, 1 space), 33 plot columns: the lone slot is the maximum (█)
    // and its share is 100% (█)
    expect(lines[1]).toBe('     4 ' + '█'.repeat(33));
    expect(lines[3]).toBe('  100% ' + '█'.repeat(33));
  });

  it('scales promotions to the largest slot and shares to 0..1, blank for no data', () => {
    // Four passes one second apart; the third has no promotions and no accesses.
    const rows = [8, 4, 0, 1].map((promoted, i) =>
      row({ time: 1000 + 250 * i, seconds: i, promoted, accesses: i === 2 ? 0 : 8, toptier_accesses: [8, 0, 0, 4][i]! }),
    );
    const lines = renderTerminalChart(rows, 47, plain).split('\n');
    // 40 plot columns / 4 slots = 10 columns each. 8/8 -> █, 4/8 -> ▄, 0 -> blank, 1/8 -> ▁
    expect(lines[0]).toBe('promotions per 1 s slot (max 8)');
    expect(lines[1]).toBe('     8 ' + '█'.repeat(10) + '▄'.repeat(10) + ' '.repeat(10) + '▁'.repeat(10));
    // shares 1 -> █, 0 -> ▁, none -> blank, 0.5 -> ▅ (floor(0.5 * 8) = 4th block, 0-based)
    expect(lines[3]).toBe('  100% ' + '█'.repeat(10) + '▁'.repeat(10) + ' '.repeat(10) + '▅'.repeat(10));
    // the axis spans the 40 plot columns: "0 s" at the left, "3 s" ending at the right
    expect(lines[4]).toBe(' '.repeat(7) + '0 s' + ' '.repeat(40 - 3 - 3) + '3 s');
  });

  it('sums the nodes of a pass', () => {
    const rows = [row({ node: 0, promoted: 3 }), row({ node: 1, promoted: 5 })];
    expect(renderTerminalChart(rows, 60, plain).split('\n')[0]).toBe('promotions (max 8)');
  });

  it('gives every --bucket its own slot, the short last bucket included (no blank slot between full ones)', () => {
    // --bucket 10 over a 60 s trace at HZ 250, as bucketRows leaves it: each row is timed at the last pass of its
    // bucket (9, 19, ..., 59 s) and the last, partial bucket holds only the pass at 60 s. Every bucket promoted.
    const promoted = [2300, 2000, 1800, 1500, 1200, 1000, 90];
    const rows = promoted.map((p, i) => {
      const seconds = i < 6 ? 10 * i + 9 : 60;
      return row({ time: 1000 + 250 * seconds, seconds, promoted: p, accesses: 50_000, toptier_accesses: 25_000 });
    });
    const lines = renderTerminalChart(rows, 77, plain, 10).split('\n');
    // 70 plot columns / 7 buckets = 10 columns each; ceil(p / 2300 * 8) eighths.
    expect(lines[0]).toBe('promotions per 10 s bucket (max 2.3k)');
    expect(lines[1]).toBe('  2.3k ' + ['█', '▇', '▇', '▆', '▅', '▄', '▁'].map((b) => b.repeat(10)).join(''));
    expect(lines[3]).toBe('  100% ' + '▅'.repeat(70));
  });

  it('leaves a slot blank only for passes without accesses, on the migrate-period grid', () => {
    // Passes every second; the one at 2 s had no accesses and no work, so it is not a row at all.
    const rows = [0, 1, 3, 4].map((s) => row({ time: 1000 + 250 * s, seconds: s, promoted: 1, accesses: 4, toptier_accesses: 4 }));
    const lines = renderTerminalChart(rows, 57, plain).split('\n');
    // 5 grid steps of 1 s (0..4) over 50 plot columns: 10 columns each, the third blank.
    expect(lines[0]).toBe('promotions per 1 s slot (max 1)');
    expect(lines[1]).toBe('     1 ' + '█'.repeat(20) + ' '.repeat(10) + '█'.repeat(20));
    expect(lines[3]).toBe('  100% ' + '█'.repeat(20) + ' '.repeat(10) + '█'.repeat(20));
  });
});
