import { describe, expect, it } from 'vitest';
import { PassClock } from '../../src/engine/pass-clock.js';
import { UsageError } from '../../src/errors.js';

describe('PassClock (SPEC 2.3)', () => {
  it('runs passes at T0 + k*D on the running maximum, skips idle runs in one step, and one final pass', () => {
    const ran: number[] = [];
    const skipped: number[] = [];
    let idle = false;
    const clock = new PassClock(10, { pass: (t) => void ran.push(t), idle: () => idle, skipped: (t) => skipped.push(t) });
    const feed = (t: number) => {
      if (t >= clock.next) clock.advance(t);
    };
    feed(5); // T0 = 5: passes at 15, 25, ...
    feed(3); // earlier time: nothing
    feed(15); // pass 15 runs first
    feed(34); // 25 runs
    idle = true;
    feed(1000); // 35 .. 995 are idle: counted, skipped at once
    idle = false;
    clock.finish(); // first pass-time > 1000: 1005
    clock.finish(); // only once
    expect(ran).toEqual([15, 25, 1005]);
    expect(skipped).toEqual([35]);
    expect(clock.passes).toBe(2 + 97 + 1); // 35..995 is 97 passes
    expect([clock.first, clock.last]).toEqual([15, 1005]);
  });

  it('does nothing without records', () => {
    const clock = new PassClock(10, { pass: () => expect.fail('no pass'), idle: () => false });
    clock.finish();
    expect(clock.passes).toBe(0);
    expect(clock.first).toBeNull();
  });

  it('waits for resume() when a pass stops part way, then runs what advance() and finish() still had to do', () => {
    const ran: string[] = [];
    let parts = 0; // slices left in the current pass
    const clock = new PassClock(10, {
      pass: (t) => {
        ran.push(`pass ${t}`);
        parts = 2;
        return false;
      },
      resumePass: () => {
        ran.push(`slice ${--parts}`);
        return parts === 0;
      },
      idle: () => false,
    });
    expect(clock.advance(0)).toBe(true); // T0 = 0
    expect(clock.advance(25)).toBe(false); // pass 10 stops part way; 20 must wait
    expect(clock.suspended).toBe(true);
    expect(clock.next).toBe(10);
    expect(clock.resume()).toBe(false); // slice 1 of pass 10
    expect(clock.resume()).toBe(false); // pass 10 done; pass 20 starts and stops part way
    expect(ran).toEqual(['pass 10', 'slice 1', 'slice 0', 'pass 20']);
    expect(clock.resume()).toBe(false);
    expect(clock.resume()).toBe(true);
    expect(clock.suspended).toBe(false);
    expect(clock.next).toBe(30);
    expect(clock.finish()).toBe(false); // the final pass, 30, part way
    expect(clock.resume()).toBe(false);
    expect(clock.resume()).toBe(true);
    expect(clock.next).toBe(40);
    expect(clock.passes).toBe(3);
    expect(clock.finish()).toBe(true); // once
    expect(ran.filter((r) => r.startsWith('pass'))).toEqual(['pass 10', 'pass 20', 'pass 30']);
  });
});

describe('PassClock near 2^53', () => {
  it('refuses a final pass past 2^53 - 1, where jiffies are no longer exact (it ran at a rounded time)', () => {
    const ran: number[] = [];
    const clock = new PassClock(3, { pass: (t) => void ran.push(t), idle: () => false });
    clock.advance(Number.MAX_SAFE_INTEGER - 1); // the final pass would be at 2^53 + 1, which rounds to 2^53
    expect(() => clock.finish()).toThrow(UsageError);
    expect(() => new PassClock(3, { pass: () => {}, idle: () => false }).finish()).not.toThrow();
    expect(ran).toEqual([]);
    const edge = new PassClock(3, { pass: (t) => void ran.push(t), idle: () => false });
    edge.advance(Number.MAX_SAFE_INTEGER - 3); // the final pass at 2^53 - 1 exactly
    edge.finish();
    expect(ran).toEqual([Number.MAX_SAFE_INTEGER]);
  });
});
