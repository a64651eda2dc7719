/**
 * The daemons' clock of SPEC 2.3, shared by the engines: passes at T0 + k*D (T0 = the first record's time),
 * every pass with pass-time <= t runs before a record with time t is applied (the running maximum of record
 * times), and after the last record exactly one more pass runs. Passes that cannot do anything are counted
 * and skipped in O(1).
 */
import { UsageError } from '../errors.js';

/** What the clock drives. */
export interface PassTarget {
  /**
   * Runs one pass at jiffies `now`. A target that cuts passes in slices returns false when it stopped part way;
   * the clock then waits for resume() before it runs anything else.
   */
  pass(now: number): boolean | void;
  /** Runs the next slice of the pass that pass() left part way; false while it is still not done. */
  resumePass?(): boolean;
  /** True when a pass now would change nothing (no work for any daemon). */
  idle(): boolean;
  /** Called once for the first of a run of skipped idle passes (it closes the interval since the last pass). */
  skipped?(now: number): void;
}

/** Pass scheduling on the running-maximum clock. */
export class PassClock {
  /** Time of the next pass; -Infinity before the first record, so the first record always calls advance(). */
  next = -Infinity;
  passes = 0;
  first: number | null = null;
  last: number | null = null;
  started = false;
  /**
   * Time of the first record (NaN before it). Not 0: a jiffies value is no small integer, and a field that starts
   * as one changes representation (and the clock's hidden class) at the first record (run/prime.ts).
   */
  t0 = Number.NaN;
  private finished = false;
  /** A pass is part way (pass() returned false): the time advance() was running passes for, or NaN for finish(). */
  private waiting: number | null = null;

  constructor(
    readonly period: number,
    private readonly target: PassTarget,
  ) {}

  /**
   * Starts the clock at the first record, or runs every pass with pass-time <= time. Call when time >= next.
   * False when a pass stopped part way (see PassTarget.pass): call resume() until it returns true.
   */
  advance(time: number): boolean {
    if (!this.started) {
      this.started = true;
      this.t0 = time;
      this.next = time + this.period;
      return true;
    }
    while (this.next <= time) {
      if (this.target.idle()) {
        const k = Math.floor((time - this.next) / this.period) + 1;
        this.target.skipped?.(this.next);
        this.count(this.next, k);
        this.next += k * this.period;
        return true;
      }
      if (!this.run(this.next)) {
        this.waiting = time;
        return false;
      }
      this.next += this.period;
    }
    return true;
  }

  /** True while a pass is part way. */
  get suspended(): boolean {
    return this.waiting !== null;
  }

  /** Goes on with the pass left part way, then with what advance() or finish() had still to do; false when a pass is part way again. */
  resume(): boolean {
    const time = this.waiting;
    if (time === null) return true;
    if (!this.target.resumePass!()) return false;
    this.waiting = null;
    this.next += this.period;
    return Number.isNaN(time) ? true : this.advance(time);
  }

  /**
   * The final pass: the first pass-time strictly greater than every record time. Once; nothing before the first
   * record. False when it stopped part way (then resume()).
   */
  finish(): boolean {
    if (this.finished || !this.started) return true;
    this.finished = true;
    // Record times are below 2^53 (exact doubles); the final pass comes up to one period after the last, and a
    // time past 2^53 - 1 would be rounded (2^53 + 1 runs at 2^53) without a word.
    if (this.next > Number.MAX_SAFE_INTEGER) {
      throw new UsageError(
        `a record time above ${Number.MAX_SAFE_INTEGER - this.period} puts the final migrate pass (every ${this.period} jiffies) past 2^53 - 1 = ${Number.MAX_SAFE_INTEGER}, where jiffies are no longer exact: shift the trace's times down`,
      );
    }
    if (!this.run(this.next)) {
      this.waiting = NaN;
      return false;
    }
    this.next += this.period;
    return true;
  }

  private run(now: number): boolean {
    this.count(now, 1);
    return this.target.pass(now) !== false;
  }

  private count(now: number, k: number): void {
    this.passes += k;
    if (this.first === null) this.first = now;
    this.last = now + (k - 1) * this.period;
  }
}
