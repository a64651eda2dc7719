import { describe, it, expect } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { GEN_OPTIONS, normalizeGenOptions, parseGenArgs, type GenInput } from '../../src/gen/options.js';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const err = e as UsageError;
    expect(err.code).toBe('KPROMO_GEN_OPTION');
    expect(err.exitCode).toBe(2);
    return err;
  }
  throw new Error('expected a UsageError');
}

describe('normalizeGenOptions', () => {
  it('fills the documented defaults', () => {
    const o = normalizeGenOptions();
    expect(o).toMatchObject({
      pattern: 'zipf', pages: 100_000, records: 1_000_000, exponent: 1, nodes: 2, hz: 250, duration: 60,
      start: 4294892296, slowBase: 0x200000, slowSpan: 0x200000, fastFraction: 0.1, seed: 1,
      phaseRecords: 500_000,
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  const bad: Array<[string, GenInput, RegExp]> = [
    ['pages 0', { pages: 0 }, /--pages.*got 0/],
    ['fractional nodes', { nodes: 1.5 }, /--nodes.*got 1.5/],
    ['fraction above 1', { numaNoNodeFraction: 1.5 }, /--numa-no-node-fraction.*got 1.5/],
    ['negative exponent', { exponent: -1 }, /--exponent.*got -1/],
    // 2.5 M pages, 90% slow = 2.25 M > 0x200000 = 2097152 slow pfns.
    ['slow tier too small', { pages: 2_500_000 }, /2250000 pages on the slow tier.*2097152/],
    // 20% of 6 M = 1.2 M > 0x100000 = 1048576 fast pfns.
    ['fast tier too small', { pages: 6_000_000, fastFraction: 0.2, slowSpan: 0x1000000 }, /1200000 pages on the fast tier/],
    ['slow range overlaps the fast range', { slowBase: 0x80000 }, /--slow-base 0x80000.*overlaps/],
    ['rate and duration', { rate: 10, duration: 5 }, /--rate 10 and --duration 5/],
    ['times beyond 2^53', { start: 2 ** 53 - 100 }, /--start 9007199254740892 \+ 15000 jiffies/],
    ['duration below a jiffy', { duration: 0.001 }, /shorter than one jiffy/],
    // 0.75 jiffy rounded up to one jiffy, silently: it is shorter than one jiffy too.
    ['duration of 3/4 jiffy', { duration: 0.003 }, /--duration 0.003 at --hz 250 is shorter than one jiffy/],
    ['unknown pattern', { pattern: 'hot' as never }, /--pattern.*"hot"/],
  ];
  for (const [what, input, message] of bad) {
    it(`rejects ${what}`, () => {
      expect(usageError(() => normalizeGenOptions(input)).message).toMatch(message);
    });
  }

  it('accepts a slow range below or above the fast range when a tier is empty', () => {
    expect(normalizeGenOptions({ fastFraction: 0, slowBase: 0 }).slowBase).toBe(0);
    expect(normalizeGenOptions({ fastFraction: 1, slowBase: 0 }).slowBase).toBe(0);
  });
});

describe('parseGenArgs', () => {
  it('parses commander-style strings, hex, underscores and decimals', () => {
    const o = parseGenArgs({
      pattern: 'Phase', pages: '1_000', records: '0x100', slowBase: '0x300000', fastFraction: '.5',
      exponent: '1.25', duration: '2.5e1', phaseRecords: '64', unrelated: 'ignored',
    });
    expect(o).toMatchObject({
      pattern: 'phase', pages: 1000, records: 256, slowBase: 0x300000, fastFraction: 0.5, exponent: 1.25,
      duration: 25, phaseRecords: 64,
    });
  });

  it('quotes the flag and the bad text', () => {
    expect(usageError(() => parseGenArgs({ pages: 'lots' })).message).toBe('--pages: expected an integer >= 1, got "lots"');
    expect(usageError(() => parseGenArgs({ records: '-5' })).message).toMatch(/^--records: .*"-5"$/);
    expect(usageError(() => parseGenArgs({ pgtscanFraction: '2' })).message).toMatch(/^--pgtscan-fraction: .*\[0, 1\].*"2"$/);
    expect(usageError(() => parseGenArgs({ duration: '0' })).message).toMatch(/^--duration: .*> 0.*"0"$/);
    expect(usageError(() => parseGenArgs({ seed: '1e3' })).message).toMatch(/^--seed: .*"1e3"$/);
    expect(usageError(() => parseGenArgs({ records: '1000000000000' })).message).toBe(
      '--records 1000000000000: at most 600479950316 over 15000 jiffies (--duration 60 at --hz 250; records x jiffies must stay below 2^53)',
    );
    expect(usageError(() => parseGenArgs({ start: String(2 ** 53 - 10) })).message).toMatch(/^--start 9007199254740982 \+ 15000 jiffies .* does not fit below 2\^53$/);
    expect(usageError(() => parseGenArgs({ records: ' 5' })).message).toBe('--records: expected an integer >= 0, got " 5"');
    // An integer past 2^53 - 1 is one: the message says what the bound is (it said "expected an integer >= 0").
    expect(usageError(() => parseGenArgs({ seed: '99999999999999999999' })).message).toBe('--seed: expected an integer in [0, 2^53 - 1], got "99999999999999999999"');
    expect(usageError(() => parseGenArgs({ pages: '0x20000000000000' })).message).toBe('--pages: expected an integer in [1, 2^53 - 1], got "0x20000000000000"');
    expect(usageError(() => parseGenArgs({ fastFraction: '0.5 ' })).message).toMatch(/^--fast-fraction: .*"0.5 "$/);
    expect(usageError(() => parseGenArgs({ pattern: 'random' })).message).toMatch(/zipf, phase, scan, mix.*"random"/);
  });

  it('takes a pattern name and underscores as written: no spaces around a name, _ only between digits', () => {
    expect(usageError(() => parseGenArgs({ pattern: ' zipf' })).message).toBe('--pattern: expected one of zipf, phase, scan, mix, got " zipf"');
    expect(usageError(() => parseGenArgs({ pattern: 'mix\t' })).message).toBe('--pattern: expected one of zipf, phase, scan, mix, got "mix\\t"');
    for (const [key, text] of [['pages', '_1_'], ['slowBase', '1_'], ['seed', '1__0'], ['pages', '0x_10'], ['exponent', '_1'], ['exponent', '1._5']] as const) {
      expect(usageError(() => parseGenArgs({ [key]: text })).message, text).toMatch(new RegExp(`got ${JSON.stringify(text)}$`));
    }
    expect(parseGenArgs({ pages: '1_000', seed: '0x1_0', exponent: '1_0.2_5' })).toMatchObject({ pages: 1000, seed: 16, exponent: 10.25 });
  });

  it('derives the duration from --rate', () => {
    expect(parseGenArgs({ records: '1000', rate: '50' }).duration).toBe(20);
  });
});

describe('GEN_OPTIONS', () => {
  it('declares each option once with a long flag matching its camelCase key', () => {
    const keys = GEN_OPTIONS.map((o) => o.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of GEN_OPTIONS) {
      const long = /^--([a-z-]+) <[^>]+>$/.exec(o.flag);
      expect(long, o.flag).not.toBeNull();
      // Commander turns a leading --no- into a negation: no flag may start with it.
      expect(long![1]!.startsWith('no-')).toBe(false);
      expect(long![1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())).toBe(o.key);
      expect(o.description.length).toBeGreaterThan(0);
    }
  });

  it('shows defaults that parse to the normalized defaults', () => {
    const d = normalizeGenOptions();
    for (const o of GEN_OPTIONS) {
      if (o.default !== undefined) expect(o.parse(o.default), o.flag).toBe(d[o.key as keyof typeof d]);
    }
  });
});
