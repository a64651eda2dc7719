/**
 * engine/top-hits.ts: the first phase of the rfc engines' hot loop without page counts, on columns written by hand;
 * the expected lists worked out from the granule codes (rfc-v1.ts RfcV1Engine.gcode) below.
 */
import { describe, expect, it } from 'vitest';
import { TH_END, TH_HITS, TH_SRC_OR, TH_SRC_SUM, TH_UNPLACED, topHits, topHitsOut } from '../../src/engine/top-hits.js';

/**
 * Granules of 2^4 pages from pfn 0x100: granule 0 a top-tier range (code 2 * spare: index 40, the spare, for every pfn),
 * granule 1 a slow-tier LRU range whose dense index is d - 16 (code 2 * -16 + 1), granule 2 no range (code -2).
 */
const GLO = 0x100;
const GSHIFT = 4;
const GCODE = Int32Array.from([2 * 40, 2 * -16 + 1, -2]);
const GSPAN = 3 << GSHIFT;

function columns(rows: Array<[pfn: number, src: number, time: number]>) {
  return {
    P: Float64Array.from(rows.map((r) => r[0])),
    S: Int32Array.from(rows.map((r) => r[1])),
    T: Float64Array.from(rows.map((r) => r[2])),
  };
}

describe('topHits (phase 1 of record_batch)', () => {
  it('counts the records whose page index has its topHot bit, lists the others in order, and stops at the next pass', () => {
    const topHot = new Uint8Array(8);
    topHot[40 >> 3]! |= 1 << (40 & 7); // the spare index: every top-tier access is a hit
    topHot[3 >> 3]! |= 1 << 3; // slow-tier index 3 (pfn 0x113): promoted, accessed since
    const { P, S, T } = columns([
      [0x105, 0, 100], // top tier: hit
      [0x113, 1, 100], // index 3, hot: hit
      [0x114, 0, 101], // index 4: listed
      [0x125, 1, 101], // granule 2, no range: listed with index -1
      [0x500, 2, 102], // past gspan: listed with index -1
      [0x110, 0, 102], // index 0: listed
      [0x101, 1, 200], // the next pass's time: stop here
      [0x114, 0, 100],
    ]);
    const slowAt = new Int32Array(8);
    const slowIdx = new Int32Array(8);
    const m = topHits(P, S, T, 0, 8, 200, GLO, GSPAN, GSHIFT, GCODE, topHot, slowAt, slowIdx);
    expect(m).toBe(4);
    expect([...slowAt.subarray(0, m)]).toEqual([2, 3, 4, 5]);
    expect([...slowIdx.subarray(0, m)]).toEqual([4, -1, -1, 0]);
    expect(topHitsOut[TH_END]).toBe(6);
    expect(topHitsOut[TH_HITS]).toBe(2);
    expect(topHitsOut[TH_SRC_SUM]).toBe(0 + 1 + 0 + 1 + 2 + 0);
    expect(topHitsOut[TH_SRC_OR]).toBe(3);
    expect(topHitsOut[TH_UNPLACED]).toBe(1);
  });

  it('reads from i to lim, says so when every record is placed, and a pfn below glo is not', () => {
    const topHot = new Uint8Array(8);
    const { P, S, T } = columns([
      [0x0ff, 0, 5], // below glo: unplaced, but outside [i, lim) here
      [0x111, 0, 5],
      [0x11f, 1, 6],
      [0x100, 1, 7],
    ]);
    const slowAt = new Int32Array(8);
    const slowIdx = new Int32Array(8);
    expect(topHits(P, S, T, 1, 3, 1000, GLO, GSPAN, GSHIFT, GCODE, topHot, slowAt, slowIdx)).toBe(2);
    expect([...slowIdx.subarray(0, 2)]).toEqual([1, 15]);
    expect(topHitsOut[TH_END]).toBe(3);
    expect(topHitsOut[TH_HITS]).toBe(0);
    expect(topHitsOut[TH_UNPLACED]).toBe(0);
    expect(topHits(P, S, T, 0, 1, 1000, GLO, GSPAN, GSHIFT, GCODE, topHot, slowAt, slowIdx)).toBe(1);
    expect(slowIdx[0]).toBe(-1);
    expect(topHitsOut[TH_UNPLACED]).toBe(1);
  });
});
