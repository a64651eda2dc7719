import { describe, expect, it } from 'vitest';
import { pageSizeBytes, parseIntOption, parsePageSize } from '../../src/run/settings.js';
import { UsageError } from '../../src/errors.js';

describe('parseIntOption', () => {
  it('takes decimal digits as written', () => {
    expect(parseIntOption('--hz', '250', 1, 100000)).toBe(250);
    expect(parseIntOption('--x', '-3', -5, 5)).toBe(-3);
  });

  it.each([' 5', '5 ', '\t5', '0x10', '+5', '1e3', '1_000', ''])('refuses %j, quoting it', (text) => {
    expect(() => parseIntOption('--window', text, 0, 0x7fffffff)).toThrow(UsageError);
    expect(() => parseIntOption('--window', text, 0, 0x7fffffff)).toThrow(`--window must be an integer in [0, 2147483647], got ${JSON.stringify(text)}`);
  });

  // A leading zero is refused: the kernel's sysctl handlers read `010` as octal 8 (proc_get_long, base 0), so the
  // same text meaning 10 here would be a silent difference; `-0` is no integer as written in a range without negatives.
  it.each(['010', '05', '00', '-0', '-05'])('refuses the leading zero or sign of %j, quoting it', (text) => {
    expect(() => parseIntOption('--rate-limit', text, 0, 0x7fffffff)).toThrow(`--rate-limit must be an integer in [0, 2147483647], got ${JSON.stringify(text)}`);
  });

  it('says why a leading zero is refused', () => {
    expect(() => parseIntOption('--rate-limit', '010', 0, 0x7fffffff)).toThrow('got "010" (no leading zero: a sysctl file reads 010 as octal 8)');
  });

  it('takes 0 and negative numbers where the range allows them', () => {
    expect(parseIntOption('--x', '0', 0, 5)).toBe(0);
    expect(Object.is(parseIntOption('--x', '0', -5, 5), 0)).toBe(true);
    expect(parseIntOption('--x', '-5', -5, 5)).toBe(-5);
  });

  it('takes 0x hex only for a mask, and says so in the message', () => {
    expect(parseIntOption('--sources', '0x2', 0, 3, true)).toBe(2);
    expect(parseIntOption('--sources', '3', 0, 3, true)).toBe(3);
    expect(() => parseIntOption('--sources', ' 0x1', 0, 3, true)).toThrow('--sources must be a decimal or 0x hex integer in [0, 3], got " 0x1"');
  });
});

describe('pageSizeBytes', () => {
  it('takes the number as every integer option does: no leading zero (04096 was 4096), then K, M or G', () => {
    expect(pageSizeBytes('4096')).toBe(4096);
    expect(pageSizeBytes('64K')).toBe(65536);
    for (const text of ['04096', '04K', '00', '-0', ' 4K']) expect(pageSizeBytes(text), text).toBeNaN();
    expect(() => parsePageSize('04096')).toThrow('--page-size: expected a power of two in bytes such as 4096, 4K, 2M or 1G, got "04096"');
  });
});
