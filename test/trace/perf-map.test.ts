import { describe, it, expect } from 'vitest';
import {
  checkHz, checkPageSize, cpuNodeTable, initialJiffies, isMemoryEvent, parseNidMode, perfTimeToJiffies,
} from '../../src/trace/perf-map.js';
import { UsageError } from '../../src/errors.js';
import { TOPO_2S_CXL } from './perf-topo.js';

// INITIAL_JIFFIES = 2^32 - 300*HZ: 4294967296 - 75000 = 4294892296 (HZ 250),
// 4294967296 - 300000 = 4294667296 (HZ 1000).
describe('perfTimeToJiffies', () => {
  it('INITIAL_JIFFIES', () => {
    expect(initialJiffies(250)).toBe(4294892296);
    expect(initialJiffies(1000)).toBe(4294667296);
  });

  it('floors the exact decimal product', () => {
    // 1234.567890 s * 250 = 308641.9725 -> 308641; * 1000 = 1234567.89 -> 1234567
    expect(perfTimeToJiffies(1234, 567890, 6, 250)).toBe(4294892296 + 308641);
    expect(perfTimeToJiffies(1234, 567890, 6, 1000)).toBe(4294667296 + 1234567);
    // --ns: 1234.567890123 s gives the same jiffies
    expect(perfTimeToJiffies(1234, 567890123, 9, 250)).toBe(4294892296 + 308641);
  });

  it('just below a jiffy boundary stays below', () => {
    // 0.999999 * 250 = 249.99975 -> 249; 0.999999999 * 1000 = 999.999999 -> 999
    expect(perfTimeToJiffies(0, 999999, 6, 250)).toBe(4294892296 + 249);
    expect(perfTimeToJiffies(0, 999999999, 9, 1000)).toBe(4294667296 + 999);
    // 0.003999 * 250 = 0.99975 -> 0; 0.004000 * 250 = 1 exactly -> 1
    expect(perfTimeToJiffies(0, 3999, 6, 250)).toBe(4294892296);
    expect(perfTimeToJiffies(0, 4000, 6, 250)).toBe(4294892296 + 1);
  });

  it('no float rounding: 1.005 s at HZ 1000 is 1005 jiffies (1.005 * 1000 is 1004.999... in doubles)', () => {
    expect(1.005 * 1000).toBeLessThan(1005);
    expect(perfTimeToJiffies(1, 5000, 6, 1000)).toBe(4294667296 + 1005);
  });

  it('large seconds', () => {
    // 9999999.999999 * 250 = 2499999999.99975 -> 2499999999; * 1000 -> 9999999999
    expect(perfTimeToJiffies(9999999, 999999, 6, 250)).toBe(4294892296 + 2499999999);
    expect(perfTimeToJiffies(9999999, 999999, 6, 1000)).toBe(4294667296 + 9999999999);
    // 3e13 s * 250 = 7.5e15 + INITIAL < 2^53 (9.007e15): fine; 4e13 s * 250 = 1e16: out of range
    expect(perfTimeToJiffies(30_000_000_000_000, 0, 6, 250)).toBe(7_500_000_000_000_000 + 4294892296);
    expect(perfTimeToJiffies(40_000_000_000_000, 0, 6, 250)).toBe(-1);
  });
});

describe('options', () => {
  it('parseNidMode', () => {
    expect(parseNidMode('cpu')).toBe('cpu');
    expect(parseNidMode('none')).toBe('none');
    expect(parseNidMode('0')).toBe(0);
    expect(parseNidMode('12')).toBe(12);
    expect(() => parseNidMode('-1')).toThrow(/"-1"/);
    expect(() => parseNidMode('01')).toThrow(UsageError);
  });
  it('checkHz / checkPageSize', () => {
    expect(() => checkHz(0)).toThrow(UsageError);
    expect(() => checkHz(250.5)).toThrow(UsageError);
    expect(() => checkHz(14316558)).toThrow(UsageError); // 300*HZ >= 2^32
    expect(() => checkHz(100)).not.toThrow();
    expect(checkPageSize(2097152)).toBe(2097152);
    expect(() => checkPageSize(4095)).toThrow(/4095/);
  });
});

describe('cpu -> node', () => {
  it('follows the topology cpus, -1 for none', () => {
    const t = cpuNodeTable(TOPO_2S_CXL);
    expect(t[0]).toBe(0);
    expect(t[7]).toBe(0);
    expect(t[8]).toBe(1);
    expect(t[15]).toBe(1);
    expect(t.length).toBe(16);
  });
});

describe('isMemoryEvent', () => {
  it('IBS op and Intel load/store events by any terms and modifiers', () => {
    for (const e of ['ibs_op//', 'ibs_op/l3missonly=1/', 'ibs_op/cnt_ctl=1/p', 'ibs_op/ldlat=128,swfilt=1/',
      'cpu/mem-loads,ldlat=30/P', 'cpu/mem-stores/P', 'cpu_core/mem-loads,ldlat=3/P', 'cpu_atom/mem-stores/P', 'mem-loads:pp',
      'cpu_core/event=0xcd,umask=0x1,ldlat=3/']) {
      expect(isMemoryEvent(e), e).toBe(true);
    }
    for (const e of ['cycles:P', 'dummy:u', 'ibs_fetch//', 'cpu/mem-loads-aux/', 'damon:damon_aggregated', 'l1d-miss']) {
      expect(isMemoryEvent(e), e).toBe(false);
    }
  });
});
