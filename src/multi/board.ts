/**
 * Counters of every configuration of a multi run, in shared memory: each engine's thread publishes them after
 * every batch it applied, so the main thread can print the partial counters of every configuration at once
 * when the run is stopped (Ctrl-C, SIGTERM, SIGHUP), even while a worker is still busy or must be ended.
 * A seqlock per configuration keeps a read from mixing two batches.
 */
import type { Counter } from '../engine/types.js';

/** Most counters one configuration publishes. */
export const BOARD_COUNTERS = 64;
const INTS = 4; // seq, count of values, state, spare
const FLOATS = 1 + BOARD_COUNTERS; // records applied, values

/** What a configuration's slot holds. */
export const enum SlotState {
  NotStarted = 0,
  Running = 1,
  Finished = 2,
}

/** One configuration's published state. */
export interface BoardEntry {
  readonly state: SlotState;
  readonly records: number;
  /** Counter values in the engine's order (names travel separately), null when not started. */
  readonly values: number[] | null;
}

/** The shared counters of `size` configurations. */
export class CounterBoard {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;

  constructor(
    readonly size: number,
    buffer?: SharedArrayBuffer,
  ) {
    this.buffer = buffer ?? new SharedArrayBuffer(size * (INTS * 4 + FLOATS * 8));
    this.floats = new Float64Array(this.buffer, 0, size * FLOATS);
    this.ints = new Int32Array(this.buffer, size * FLOATS * 8, size * INTS);
  }

  /** Publishes slot `i`: the counters after `records` records (writer side: one thread per slot). */
  publish(i: number, records: number, counters: readonly Counter[], state: SlotState = SlotState.Running): void {
    const n = Math.min(counters.length, BOARD_COUNTERS);
    const at = i * INTS;
    const f = i * FLOATS;
    Atomics.add(this.ints, at, 1); // odd: writing
    this.floats[f] = records;
    for (let k = 0; k < n; k++) this.floats[f + 1 + k] = counters[k]!.value;
    Atomics.store(this.ints, at + 1, n);
    Atomics.store(this.ints, at + 2, state);
    Atomics.add(this.ints, at, 1); // even: done
  }

  /** Reads slot `i` consistently (retries while a write is under way). */
  read(i: number): BoardEntry {
    const at = i * INTS;
    const f = i * FLOATS;
    for (let tries = 0; ; tries++) {
      const seq = Atomics.load(this.ints, at);
      if (seq % 2 === 1 && tries < 1000) continue;
      const state = Atomics.load(this.ints, at + 2) as SlotState;
      const n = Atomics.load(this.ints, at + 1);
      const records = this.floats[f]!;
      const values = state === SlotState.NotStarted ? null : Array.from(this.floats.subarray(f + 1, f + 1 + n));
      if (Atomics.load(this.ints, at) === seq || tries >= 1000) return { state, records, values };
    }
  }
}

/** A run's board plus the counter names of each configuration (known once its engine exists). */
export class RunTracker {
  readonly board: CounterBoard;
  readonly names: (readonly string[] | null)[];

  constructor(readonly configs: readonly { readonly label: string; readonly settings: { readonly engine: string } }[]) {
    this.board = new CounterBoard(configs.length);
    this.names = configs.map(() => null);
  }

  /** The counters of every configuration as they stand: finished, partial, or not started (null). */
  partial(): { label: string; engine: string; counters: Counter[] | null; records: number; finished: boolean }[] {
    return this.configs.map((c, i) => {
      const e = this.board.read(i);
      const names = this.names[i];
      const counters = e.values === null || names == null ? null : e.values.map((value, k) => ({ name: names[k] ?? `counter${k}`, value }));
      return { label: c.label, engine: c.settings.engine, counters, records: counters === null ? 0 : e.records, finished: e.state === SlotState.Finished };
    });
  }
}
