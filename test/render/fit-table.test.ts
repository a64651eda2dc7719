import { describe, it, expect } from 'vitest';
import { Chalk } from 'chalk';
import { fitTable, maxLineWidth, stripAnsi, tableWidthFor, textWidth, wrapText, type FitColumn } from '../../src/render/fit-table.js';
import { COMPACT_CHARS } from '../../src/report/table.js';

const plain = new Chalk({ level: 0 });
const colour = new Chalk({ level: 1 });

/** Trimmed cells of the lines that are table rows (start with a vertical border), header first. */
function cells(text: string): string[][] {
  return stripAnsi(text)
    .split('\n')
    .filter((l) => l.startsWith('│'))
    .map((l) => l.split('│').slice(1, -1).map((c) => c.trim()));
}

// Twelve numeric columns with 10-character headers: 12 * (10 + 3) + 1 = 157 columns at full width.
const wide: FitColumn[] = Array.from({ length: 12 }, (_, i) => ({
  head: `column_${String(i).padStart(3, '0')}`,
  short: `c${i}`,
  align: 'right' as const,
  ...(i >= 8 ? { drop: 12 - i } : {}),
}));
const wideRows = [Array.from({ length: 12 }, (_, i) => String(1000 * i))];

describe('fitTable', () => {
  it('prints the full table when no width is given (stdout is not a terminal)', () => {
    const text = fitTable(wide, wideRows, { color: plain, chars: COMPACT_CHARS });
    expect(maxLineWidth(text)).toBe(157);
    expect(cells(text)[0]).toEqual(wide.map((c) => c.head));
  });

  it('fits a table of 200 000 rows, at full width and to a terminal', () => {
    const cols: FitColumn[] = [{ head: 'config' , wrap: true }, { head: 'value', align: 'right' }];
    const rows = Array.from({ length: 200_000 }, (_, i) => [`window=${i} threshold=${i % 7}`, String(i)]);
    for (const width of [undefined, 30]) {
      const out = fitTable(cols, rows, { width, color: plain, chars: COMPACT_CHARS });
      expect(out.split('\n').length).toBeGreaterThanOrEqual(200_003);
      if (width !== undefined) expect(maxLineWidth(out)).toBeLessThanOrEqual(width);
    }
  });

  it('keeps the full table when it fits', () => {
    const text = fitTable(wide, wideRows, { width: 157, color: plain });
    expect(cells(text)[0]).toEqual(wide.map((c) => c.head));
  });

  it('switches to the short headers when the full ones do not fit', () => {
    // Short headers: widths max(len(c<i>), len(value)) = 2 ("c0"), 4 (1000..9000) x 9, 5 x 2 -> 48 + 12*3 + 1 = 85.
    const text = fitTable(wide, wideRows, { width: 85, color: colour });
    expect(maxLineWidth(text)).toBe(85);
    expect(cells(text)[0]).toEqual(wide.map((c) => c.short));
    expect(cells(text)[1]).toEqual(wideRows[0]);
    expect(text).not.toContain('left out');
  });

  it('leaves out droppable columns, lowest rank first, and names them', () => {
    // 85 - 80 = 5 columns too many: leaving out column_011 (rank 1, 5 + 3 columns) is enough.
    const text = fitTable(wide, wideRows, { width: 80, color: plain });
    expect(maxLineWidth(text)).toBeLessThanOrEqual(80);
    expect(textWidth(text.split("\n")[0]!)).toBe(77);
    expect(cells(text)[0]).toEqual(wide.slice(0, 11).map((c) => c.short));
    expect(text.replace(/\n/g, ' ')).toContain('column left out to fit 80 columns: column_011 (a wider terminal or --format json shows all)');
    // 60 columns: 85 - 60 = 25 to save: columns 11, 10 give 8 each, 9 and 8 give 7 each (23 is not enough).
    const narrower = fitTable(wide, wideRows, { width: 60, color: plain, seeAll: 'use --csv' });
    expect(maxLineWidth(narrower)).toBeLessThanOrEqual(60);
    expect(cells(narrower)[0]).toEqual(wide.slice(0, 8).map((c) => c.short));
    expect(stripAnsi(narrower).replace(/\n/g, ' ')).toContain('columns left out to fit 60 columns: column_011, column_010, column_009, column_008 (use --csv)');
  });

  it('wraps text columns, keeping every word', () => {
    const cols: FitColumn[] = [{ head: 'name', wrap: true }, { head: 'value', wrap: true }];
    const rows = [['kernel memory at peak', '2.85 MiB (records 371584 B + buckets and mutexes 2621440 B)'], ['traces', 'a/very/long/path/without/any/space/in/it.csv']];
    for (const width of [40, 50, 60]) {
      const text = fitTable(cols, rows, { width, color: plain, chars: COMPACT_CHARS });
      expect(maxLineWidth(text), `width ${width}`).toBeLessThanOrEqual(width);
      // Each column's text, read down the table, is its cells' text in order (line breaks where spaces were, or
      // inside a word too wide for the column).
      const columnText = (i: number) => cells(text).map((c) => c[i]).join('').replace(/\s/g, '');
      expect(columnText(0)).toBe(('name' + rows.map((r) => r[0]).join('')).replace(/\s/g, ''));
      expect(columnText(1)).toBe(('value' + rows.map((r) => r[1]).join('')).replace(/\s/g, ''));
    }
  });

  it('leaves a column out rather than break a word, and breaks words only when nothing else fits', () => {
    const cols: FitColumn[] = [{ head: 'id' }, { head: 'range', wrap: true }, { head: 'extra', drop: 1 }];
    const rows = [['0', '0x100000-0x200000 (1048576 pages)', 'xxxxxxxxxx']];
    // Unwrapped: 2 + 33 + 10 content + 9 = 54. At 40 the range wraps at its space (17 wide) and all fits: 38.
    expect(cells(fitTable(cols, rows, { width: 40, color: plain }))[1]).toEqual(['0', '0x100000-0x200000', 'xxxxxxxxxx']);
    // At 34 keeping words needs 2 + 17 + 10 + 13 = 42: 'extra' is left out instead; the range gets 34 - 9 = 25.
    const text = fitTable(cols, rows, { width: 34, color: plain });
    expect(cells(text)[0]).toEqual(['id', 'range']);
    expect(cells(text).slice(1).map((c) => c[1])).toEqual(['0x100000-0x200000', '(1048576 pages)']);
    expect(text.replace(/\n/g, ' ')).toContain('column left out to fit 34 columns: extra');
    // At 24 even without 'extra' the word does not fit (17 + 9 = 26 columns): now it is broken, at 24 - 9 = 15.
    const narrow = fitTable(cols, rows, { width: 24, color: plain });
    expect(maxLineWidth(narrow)).toBeLessThanOrEqual(24);
    expect(cells(narrow).map((c) => c[1])).toEqual(['range', '0x100000-0x2000', '00 (1048576', 'pages)']);
  });

  it('splits into parts that repeat the leading column when nothing may be left out', () => {
    const cols: FitColumn[] = [{ head: 'counter' }, ...['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((h) => ({ head: `configuration-${h}`, align: 'right' as const }))];
    const rows = [['kpromoted_mig_promoted', '1', '2', '3', '4', '5'], ['kpromoted_mig_dropped', '6', '7', '8', '9', '10']];
    const text = fitTable(cols, rows, { width: 80, color: plain, chars: COMPACT_CHARS, split: 1 });
    expect(maxLineWidth(text)).toBeLessThanOrEqual(80);
    const heads = cells(text).filter((c) => c[0] === 'counter');
    expect(heads.length).toBeGreaterThan(1);
    // Every configuration appears exactly once, in order, each part led by the counter column.
    expect(heads.flatMap((h) => h.slice(1))).toEqual(cols.slice(1).map((c) => c.head));
    const promoted = cells(text).filter((c) => c[0] === 'kpromoted_mig_promoted').flatMap((c) => c.slice(1));
    expect(promoted).toEqual(['1', '2', '3', '4', '5']);
  });

  it('lays rows out vertically when nothing else fits', () => {
    const cols: FitColumn[] = [{ head: 'first' }, { head: 'second' }, { head: 'third' }];
    const rows = [['1111111111', '2222222222', '3333333333'], ['4', '5', '6']];
    const text = fitTable(cols, rows, { width: 30, color: plain });
    expect(maxLineWidth(text)).toBeLessThanOrEqual(30);
    expect(text.split('\n')).toEqual(['─ 1 ────────', 'first   1111111111', 'second  2222222222', 'third   3333333333', '─ 2 ────────', 'first   4', 'second  5', 'third   6']);
  });

  it('never exceeds any width from 20 to 160, with colour', () => {
    const cols: FitColumn[] = [{ head: 'node' }, { head: 'pfn ranges [start-end)', wrap: true }, { head: 'free / high_wmark', short: 'free/wmark', wrap: true }, { head: 'daemon', drop: 1 }];
    const rows = [['0', '0x0-0x100000 (1048576 pages)\n0x300000-0x310000 nonlru (65536 pages)', '64 / 32', colour.green('kpromoted0')]];
    for (let w = 20; w <= 160; w++) expect(maxLineWidth(fitTable(cols, rows, { width: w, color: colour })), `width ${w}`).toBeLessThanOrEqual(w);
  });
});

describe('wrapText and textWidth', () => {
  it('breaks at spaces, and inside a word only when the word alone is wider', () => {
    expect(wrapText('aaa bbb ccc', 7)).toBe('aaa bbb\nccc');
    expect(wrapText('abcdefghij', 4)).toBe('abcd\nefgh\nij');
    expect(wrapText('short', 10)).toBe('short');
  });

  it('cuts long words as the one-piece-at-a-time reference does, in one pass (a 4096-CPU list took seconds)', () => {
    // The reference: the longest prefix that fits (at least one character), then the rest measured again.
    const reference = (text: string, width: number): string => {
      const w = Math.max(1, Math.floor(width));
      if (maxLineWidth(text) <= w) return text;
      const out: string[] = [];
      for (const para of stripAnsi(text).split('\n')) {
        let line = '';
        for (const word of para.split(' ')) {
          const candidate = line === '' ? word : `${line} ${word}`;
          if (textWidth(candidate) <= w) {
            line = candidate;
            continue;
          }
          if (line !== '') out.push(line);
          let rest = word;
          while (textWidth(rest) > w) {
            const chars = Array.from(rest);
            let used = 0;
            let i = 0;
            for (; i < chars.length; i++) {
              const cw = textWidth(chars[i]!);
              if (used + cw > w && i > 0) break;
              used += cw;
            }
            out.push(chars.slice(0, i).join(''));
            rest = chars.slice(i).join('');
          }
          line = rest;
        }
        out.push(line);
      }
      return out.join('\n');
    };
    const alphabet = ['a', 'b', ',', ' ', ' ', '表', '\u0301', '\n', '7'];
    let seed = 3;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let k = 0; k < 3000; k++) {
      const text = Array.from({ length: rnd(40) }, () => alphabet[rnd(alphabet.length)]!).join('');
      const w = 1 + rnd(12);
      expect(wrapText(text, w), `${JSON.stringify(text)} at ${w}`).toBe(reference(text, w));
    }
    const cpus = Array.from({ length: 16384 }, (_, i) => 2 * i).join(',');
    // A scale case, not a timed one: cutting one piece at a time took 100 s on it.
    const wrapped = wrapText(cpus, 8).split('\n');
    expect(wrapped.every((l) => l.length <= 8)).toBe(true);
    expect(wrapped.join('').replaceAll(',', '')).toBe(cpus.replaceAll(',', ''));
  });

  it('counts no width for colour escapes and two for wide characters', () => {
    expect(textWidth(colour.red('abc'))).toBe(3);
    expect(textWidth('表')).toBe(2);
    expect(textWidth('▁▂█│')).toBe(4);
  });
});

describe('tableWidthFor', () => {
  it('is the terminal width on a terminal, none otherwise', () => {
    expect(tableWidthFor({ isTTY: true, columns: 93 })).toBe(93);
    expect(tableWidthFor({ isTTY: true })).toBe(80);
    expect(tableWidthFor({ isTTY: false, columns: 93 })).toBeUndefined();
  });
});
