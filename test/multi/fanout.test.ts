import { describe, expect, it } from 'vitest';
import type { AccessSink } from '../../src/engine/types.js';
import { Fanout } from '../../src/multi/fanout.js';

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
