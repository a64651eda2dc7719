import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { expandGrid, MAX_GRID, parseList, pointLabel } from '../../src/multi/grid.js';

describe('parseList', () => {
  it('reads comma lists and inclusive ranges with and without a step, decimal only', () => {
    expect(parseList('--window', '1000,2000,5000')).toEqual(['1000', '2000', '5000']);
    expect(parseList('--window', '1000..5000:1000')).toEqual(['1000', '2000', '3000', '4000', '5000']);
    expect(parseList('--threshold', '2..4')).toEqual(['2', '3', '4']);
    expect(parseList('--window', '1000..4500:1000')).toEqual(['1000', '2000', '3000', '4000']); // end not on the step
    expect(parseList('--threshold', '-1..1, 7')).toEqual(['-1', '0', '1', '7']);
    expect(() => parseList('--hash-order', '0x10')).toThrow('--hash-order: expected an integer or a range A..B[:STEP]: "0x10" in "0x10"');
    expect(() => parseList('--window', '0x10..0x20')).toThrow(/expected a range A\.\.B\[:STEP\] of integers/);
    expect(parseList('--period', '100,200..300:100')).toEqual(['100', '200', '300']);
  });

  it('rejects bad items, quoting the item and the whole value', () => {
    const cases: [string, string][] = [
      ['1000,abc', 'expected an integer or a range A..B[:STEP]: "abc" in "1000,abc"'],
      ['1000,,2000', 'empty item: "" in "1000,,2000"'],
      ['5..1', 'range start is greater than its end: "5..1" in "5..1"'],
      ['1..5:0', 'range step must be > 0: "1..5:0" in "1..5:0"'],
      ['1..x', 'expected a range A..B[:STEP] of integers: "1..x" in "1..x"'],
      ['1.5', 'expected an integer or a range A..B[:STEP]: "1.5" in "1.5"'],
      // A value twice is refused, not dropped: the grid would hold fewer configurations than the lists say.
      ['1,1,1', 'value 1 given twice: "1" in "1,1,1"'],
      ['1..3,2..4', 'value 2 given twice: "2..4" in "1..3,2..4"'],
      ['16,16..18', 'value 16 given twice: "16..18" in "16,16..18"'],
    ];
    for (const [text, msg] of cases) {
      expect(() => parseList('--window', text)).toThrow(UsageError);
      expect(() => parseList('--window', text)).toThrow(`--window: ${msg}`);
    }
    expect(() => parseList('--window', `0..${MAX_GRID}`)).toThrow(`range has more than ${MAX_GRID} values`);
  });

  it('takes integers as the single-value options do: no leading zero or -0 (the label would show another text)', () => {
    for (const text of ['010', '-0', '1,05', '0..2:01', '00..3', '1..010']) {
      expect(() => parseList('--window', text), text).toThrow(/--window: expected (an integer or a range A\.\.B\[:STEP\]|a range A\.\.B\[:STEP\] of integers): /);
    }
    expect(parseList('--window', '0,10')).toEqual(['0', '10']);
  });

  it('refuses values past 2^53 - 1, quoting them, instead of rounding them (to a value then given twice)', () => {
    expect(() => parseList('--window', '9007199254740993')).toThrow('--window: integer past 2^53 - 1: "9007199254740993" in "9007199254740993"');
    expect(() => parseList('--window', '9007199254740993..9007199254740999')).toThrow(
      '--window: integer past 2^53 - 1: "9007199254740993..9007199254740999" in "9007199254740993..9007199254740999"',
    );
    expect(() => parseList('--window', '1..3:99999999999999999999')).toThrow('--window: integer past 2^53 - 1');
  });
});

describe('expandGrid', () => {
  it('is the cartesian product, first parameter slowest', () => {
    const g = expandGrid([
      ['window', ['1000', '2000']],
      ['threshold', ['2', '3', '4']],
    ]);
    expect(g).toEqual([
      { window: '1000', threshold: '2' },
      { window: '1000', threshold: '3' },
      { window: '1000', threshold: '4' },
      { window: '2000', threshold: '2' },
      { window: '2000', threshold: '3' },
      { window: '2000', threshold: '4' },
    ]);
    expect(pointLabel(g[4]!)).toBe('window=2000 threshold=3');
  });

  it('is one empty point without lists, labelled defaults', () => {
    expect(expandGrid([])).toEqual([{}]);
    expect(pointLabel({})).toBe('defaults');
    // One configuration: the label names the values that differ from the defaults.
    expect(pointLabel({}, { window: '1' })).toBe('window=1');
    expect(pointLabel({ threshold: '3' }, { window: '1' })).toBe('threshold=3');
  });

  it('refuses grids larger than MAX_GRID, naming the dimensions', () => {
    const big = Array.from({ length: 100 }, (_, i) => String(i));
    expect(() => expandGrid([['window', big], ['threshold', big]])).toThrow('sweep: 100 window x 100 threshold = 10000 configurations');
  });
});
