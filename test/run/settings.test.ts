import { describe, expect, it } from 'vitest';
import { parseIntOption } from '../../src/run/settings.js';
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

  it('takes 0x hex only for a mask, and says so in the message', () => {
    expect(parseIntOption('--sources', '0x2', 0, 3, true)).toBe(2);
    expect(parseIntOption('--sources', '3', 0, 3, true)).toBe(3);
    expect(() => parseIntOption('--sources', ' 0x1', 0, 3, true)).toThrow('--sources must be a decimal or 0x hex integer in [0, 3], got " 0x1"');
  });
});
