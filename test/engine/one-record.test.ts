import { describe, expect, it } from 'vitest';
import { OneRecord } from '../../src/engine/one-record.js';

describe('OneRecord', () => {
  it('gives one record as columns of length one, again and again', () => {
    const got: number[][] = [];
    const taker = {
      record_batch(pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number): void {
        for (let i = 0; i < n; i++) got.push([pfn[i]!, nid[i]!, src[i]!, time[i]!]);
      },
    };
    const one = new OneRecord();
    one.give(taker, 2 ** 40 + 3, -1, 2, 4294892296);
    one.give(taker, 7, 3, 0, 4294892297);
    expect(got).toEqual([
      [2 ** 40 + 3, -1, 2, 4294892296],
      [7, 3, 0, 4294892297],
    ]);
  });
});
