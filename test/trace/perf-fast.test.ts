/**
 * scanPerf() (src/trace/perf-fast.ts) on lines built byte by byte, where the differential tests of perf-real.test.ts
 * (fast path against the general parser on real and mutated perf text) cannot reach: byte values no perf prints.
 */
import { describe, expect, it } from 'vitest';
import type { AccessSink } from '../../src/engine/types.js';
import { scanPerf } from '../../src/trace/perf-fast.js';
import { IBS_SHAPE } from './helpers.js';

const SHAPE = IBS_SHAPE;

/** A sample line of event `name` (its bytes as given). */
function line(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from('            perf 15883 [001]   453.484750: ', 'latin1'), name, Buffer.from(':     7f571028e408         10000000\n', 'latin1')]);
}

describe('scanPerf', () => {
  it('compares an event name eight bytes a load, but not a word of zero bytes, which -0 would equal', () => {
    const recs: number[] = [];
    const sink: AccessSink = { record_access: (pfn) => void recs.push(pfn) };
    for (const [name, other] of [
      [Buffer.from('ibs_op//', 'latin1'), Buffer.from('ibs_op/x', 'latin1')],
      [Buffer.alloc(8), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80])], // +0 and -0 as doubles
      [Buffer.from('abc\0\0\0\0\0\0\0\0\0\0\0\0\0', 'latin1'), Buffer.concat([Buffer.from('abc\0\0\0\0\0', 'latin1'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x80])])],
    ] as const) {
      recs.length = 0;
      const text = Buffer.concat([line(name), line(name), line(other), line(name)]);
      const third = line(name).length * 2;
      // The first two lines are taken; the third names another event: the fast path stops at its start.
      expect(scanPerf(text, 0, text.length, SHAPE, name, sink)).toBe(third);
      expect(recs).toEqual([0x10000, 0x10000]);
    }
  });
});
