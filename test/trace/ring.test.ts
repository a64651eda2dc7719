/**
 * RingWriter with a page tally (trace/ring.ts): a slot's records are counted once the consumer has applied them (the
 * slot is free again), those the consumer never applies are not, and a writer waiting for a slot the consumer will not
 * free stops when asked. One thread plays both sides: the consumer frees slots by their state words.
 */
import { describe, expect, it } from 'vitest';
import { PageTally, type TallySnapshot } from '../../src/engine/page-tally.js';
import { CTL_STOP, CTL_TALLY, ring, RingStopped, RingWriter } from '../../src/trace/ring.js';
import { SPEC_2S_CXL } from '../engine/helpers.js';

const BATCH = 8;

/** A batch of BATCH records of pfns from `from` on, one each (slow-tier pages of 2s-cxl; every third top tier). */
function batch(w: RingWriter, from: number): number[] {
  const pfns: number[] = [];
  for (let i = 0; i < BATCH; i++) {
    const p = i % 3 === 2 ? 0x1000 + from + i : 0x200000 + from + i;
    pfns.push(p);
    w.record_access(p, 0, 0, 100);
  }
  return pfns; // a full slot publishes itself
}

/** A snapshot's non-zero counts by index, its carries and T0 (a deep compare of 2 M bytes takes seconds). */
function compact(s: TallySnapshot) {
  const nonZero: number[] = [];
  s.counts.forEach((c, i) => c !== 0 && nonZero.push(i, c));
  return { nonZero, carries: s.carries, homeTop: s.homeTop };
}

function tallyOf(pfns: number[]) {
  const t = new PageTally(SPEC_2S_CXL);
  t.count(Float64Array.from(pfns), 0, pfns.length);
  return compact(t.snapshot());
}

describe('RingWriter with a tally', () => {
  it('counts the records of the slots the consumer applied, when it writes them again and at the end', () => {
    const r = ring(BATCH);
    const w = new RingWriter(r);
    w.countInto(new PageTally(SPEC_2S_CXL));
    const a = batch(w, 0); // slot 0
    const b = batch(w, 100); // slot 1
    Atomics.store(r.state, 0, 0); // the consumer applied slots 0 and 1
    Atomics.store(r.state, 1, 0);
    const c = batch(w, 200); // slot 2
    const d = batch(w, 300); // slot 3, then waits for slot 0: free, A counted
    const e = batch(w, 400); // slot 0 again; slot 1 next: B counted
    Atomics.store(r.state, 2, 0); // C applied; D and E never
    Atomics.store(r.state, CTL_TALLY, 1);
    expect(compact(w.finishTally())).toEqual(tallyOf([...a, ...b, ...c]));
    expect(d.length + e.length).toBe(2 * BATCH);
  });

  it('stops waiting for a slot the consumer will not free once asked to stop', () => {
    const r = ring(BATCH);
    const w = new RingWriter(r);
    w.countInto(new PageTally(SPEC_2S_CXL));
    for (let k = 0; k < 3; k++) batch(w, 100 * k); // slots 0-2: none applied
    Atomics.store(r.state, CTL_STOP, 1);
    expect(() => batch(w, 300)).toThrow(RingStopped); // slot 3, then slot 0 is not free
    Atomics.store(r.state, CTL_TALLY, 1);
    expect(compact(w.finishTally())).toEqual(tallyOf([]));
  });
});
