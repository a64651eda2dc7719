/**
 * The daemons' clock of SPEC 2.3, shared by the engines: passes at T0 + k*D (T0 = the first record's time),
 * every pass with pass-time <= t runs before a record with time t is applied (the running maximum of record
 * times), and after the last record exactly one more pass runs. Passes that cannot do anything are counted
 * and skipped in O(1).
 */

/** What the clock drives. */
export interface PassTarget {
  /** Runs one pass at jiffies `now`. */
  pass(now: number): void;
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
  /** Time of the first record. */
  t0 = 0;
  private finished = false;

  constructor(
    readonly period: number,
    private readonly target: PassTarget,
  ) {}

  /** Starts the clock at the first record, or runs every pass with pass-time <= time. Call when time >= next. */
  advance(time: number): void {
    if (!this.started) {
      this.started = true;
      this.t0 = time;
      this.next = time + this.period;
      return;
    }
    while (this.next <= time) {
      if (this.target.idle()) {
        const k = Math.floor((time - this.next) / this.period) + 1;
        this.target.skipped?.(this.next);
        this.count(this.next, k);
        this.next += k * this.period;
        return;
      }
      this.run(this.next);
      this.next += this.period;
    }
  }

  /** The final pass: the first pass-time strictly greater than every record time. Once; nothing before the first record. */
  finish(): void {
    if (this.finished || !this.started) return;
    this.finished = true;
    this.run(this.next);
    this.next += this.period;
  }

  private run(now: number): void {
    this.count(now, 1);
    this.target.pass(now);
  }

  private count(now: number, k: number): void {
    this.passes += k;
    if (this.first === null) this.first = now;
    this.last = now + (k - 1) * this.period;
  }
}
