import { describe, expect, it } from 'vitest';
import { PassClock } from '../../src/engine/pass-clock.js';

describe('PassClock (SPEC 2.3)', () => {
  it('runs passes at T0 + k*D on the running maximum, skips idle runs in one step, and one final pass', () => {
    const ran: number[] = [];
    const skipped: number[] = [];
    let idle = false;
    const clock = new PassClock(10, { pass: (t) => ran.push(t), idle: () => idle, skipped: (t) => skipped.push(t) });
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
});
