import { describe, expect, it } from 'vitest';
import type { AccessSink } from '../../src/engine/types.js';
import { Fanout, FANOUT_MAX, FANOUT_MIN, FANOUT_WORK, fanoutBatch } from '../../src/multi/fanout.js';

class Recorder implements AccessSink {
  readonly seen: number[][] = [];
  record_access(pfn: number, nid: number, src: number, time: number): void {
    this.seen.push([pfn, nid, src, time]);
  }
}

describe('Fanout', () => {
  const records = [
    [2 ** 53 - 1, -1, 0, 0],
    [0x200000, 0, 1, 1000],
    [0x200001, 1, 7, 999], // out of order time: passed on as is
    [5, 0, 0, 2 ** 53 - 1],
    [6, 2, 1, 3],
    [7, 0, 0, 4],
    [8, 1, 1, 5],
  ];

  it('hands every record to every sink in trace order, across batch boundaries and after flush()', () => {
    const sinks = [new Recorder(), new Recorder(), new Recorder()];
    const f = new Fanout(sinks, 3); // 7 records: two full batches, one left for flush()
    for (const [p, n, s, t] of records) f.record_access(p!, n!, s!, t!);
    expect(sinks[0]!.seen).toHaveLength(6);
    f.flush();
    for (const s of sinks) expect(s.seen).toEqual(records);
    f.flush(); // nothing buffered: no duplicates
    expect(sinks[2]!.seen).toHaveLength(7);
  });

  it('feeds one sink a whole batch before the next (per-sink order within a batch)', () => {
    const order: string[] = [];
    const tag = (name: string): AccessSink => ({ record_access: (pfn) => order.push(`${name}${pfn}`) });
    const f = new Fanout([tag('a'), tag('b')], 2);
    for (const pfn of [1, 2, 3]) f.record_access(pfn, 0, 0, pfn);
    f.flush();
    expect(order).toEqual(['a1', 'a2', 'b1', 'b2', 'a3', 'b3']);
  });
});

describe('Fanout.record_batch', () => {
  /** A sink that keeps a copy of every batch it is given. */
  class Batches implements AccessSink {
    readonly batches: number[][][] = [];
    record_access(): void {
      throw new Error('record_batch expected');
    }
    record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
      const b: number[][] = [];
      for (let i = 0; i < n; i++) b.push([pfn[i]!, nid[i]!, src[i]!, time[i]!]);
      this.batches.push(b);
    }
  }
  /** Records [from, to) as columns, record k = (k, k % 3, k % 2, 1000 + k). */
  const columns = (from: number, to: number) => {
    const n = to - from;
    const c = { pfn: new Float64Array(n), nid: new Int32Array(n), src: new Int32Array(n), time: new Float64Array(n), n };
    for (let i = 0; i < n; i++) {
      const k = from + i;
      c.pfn[i] = k;
      c.nid[i] = k % 3;
      c.src[i] = k % 2;
      c.time[i] = 1000 + k;
    }
    return c;
  };
  const expected = (to: number) => Array.from({ length: to }, (_, k) => [k, k % 3, k % 2, 1000 + k]);

  it('joins batches smaller than its own into one, copied (the caller reuses its arrays), in order, for every sink', () => {
    const sinks = [new Batches(), new Batches()];
    const f = new Fanout(sinks, 8);
    for (const [a, b] of [[0, 3], [3, 6], [6, 9], [9, 10]] as const) {
      const c = columns(a, b);
      f.record_batch(c.pfn, c.nid, c.src, c.time, c.n);
      c.pfn.fill(-1); // the reader's slot is reused at once
      c.time.fill(-1);
    }
    f.flush();
    for (const s of sinks) {
      expect(s.batches.map((b) => b.length)).toEqual([6, 4]); // 3 + 3, then 3 would pass 8: handed on; 3 + 1 at flush()
      expect(s.batches.flat()).toEqual(expected(10));
    }
  });

  it('fills up to exactly its size, and hands a batch of its size or more on as it is, after what it buffered', () => {
    const sink = new Batches();
    const f = new Fanout([sink], 4);
    const parts = [[0, 2], [2, 4], [4, 5], [5, 12], [12, 13]] as const;
    for (const [a, b] of parts) {
      const c = columns(a, b);
      f.record_batch(c.pfn, c.nid, c.src, c.time, c.n);
    }
    f.flush();
    expect(sink.batches.map((b) => b.length)).toEqual([4, 1, 7, 1]);
    expect(sink.batches.flat()).toEqual(expected(13));
  });
});

describe('fanoutBatch', () => {
  it('is large for few sinks, and bounds the work of one batch over all sinks (a stop is looked at between batches)', () => {
    expect(fanoutBatch(1)).toBe(FANOUT_MAX);
    expect(fanoutBatch(3)).toBe(FANOUT_MAX);
    expect(fanoutBatch(9)).toBe(115712); // 2^20 / 9, down to a multiple of 1024
    expect(fanoutBatch(1000)).toBe(FANOUT_MIN);
    for (let sinks = 1; sinks <= 200; sinks++) {
      const b = fanoutBatch(sinks);
      expect(b === FANOUT_MIN || sinks * b <= FANOUT_WORK, `${sinks} sinks: ${b}`).toBe(true);
      expect(b).toBeGreaterThanOrEqual(FANOUT_MIN);
      expect(b).toBeLessThanOrEqual(FANOUT_MAX);
    }
  });
});
