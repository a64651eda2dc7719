import { describe, it, expect } from 'vitest';
import { formatCpulist, parseCpulist } from '../../src/topology/cpulist.js';

describe('parseCpulist', () => {
  it('reads single ids and inclusive ranges', () => {
    expect(parseCpulist('3')).toEqual([3]);
    expect(parseCpulist('0-3,8-9')).toEqual([0, 1, 2, 3, 8, 9]);
    expect(parseCpulist('0-1,16-17\n')).toEqual([0, 1, 16, 17]);
  });
  it('reads the empty list of a CPU-less node', () => {
    expect(parseCpulist('')).toEqual([]);
    expect(parseCpulist('\n')).toEqual([]);
  });
  it('sorts and de-duplicates', () => {
    expect(parseCpulist('5,0-2,1')).toEqual([0, 1, 2, 5]);
  });
  it.each(['a', '1-', '-1', '3-1', '0-7:2', '1,,2', '0x1', '1 2'])('rejects %j quoting the text', (bad) => {
    expect(() => parseCpulist(bad)).toThrow(JSON.stringify(bad));
  });
  it('rejects ids above the limit', () => {
    expect(() => parseCpulist('0-8192')).toThrow(/8192/);
    expect(parseCpulist('8191')).toEqual([8191]);
    expect(() => parseCpulist('5', 4)).toThrow(/limit 4/);
  });
});

describe('formatCpulist', () => {
  it('prints runs of two or more as ranges, like %*pbl', () => {
    expect(formatCpulist([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23])).toBe('0-7,16-23');
    expect(formatCpulist([3])).toBe('3');
    expect(formatCpulist([0, 1, 5])).toBe('0-1,5');
    expect(formatCpulist([])).toBe('');
    expect(formatCpulist([9, 2, 3, 2])).toBe('2-3,9');
  });
  it('round-trips', () => {
    for (const s of ['0-7,16-23', '1,3,5', '0-1,4-6,9']) expect(formatCpulist(parseCpulist(s))).toBe(s);
  });
});
