/**
 * One read feeding engines on several threads: this thread parses the traces once into a shared ring of
 * record batches; every worker (lane-worker.ts) applies every batch to its own share of the
 * configurations. A slot is reused when all workers are done with it. So N configurations cost one parse
 * plus N engines spread over the cores.
 */
import { BatchWriter, ring, SLOTS, type Ring } from '../trace/ring.js';

/** Control words of a broadcast ring (Int32): remaining readers per slot, generation per slot, then flags. */
export const REMAINING = 0;
/** seq[s] at SEQ + s: the generation (1, 2, ...) of the batch in slot s. */
export const SEQ = SLOTS;
/** The producer has published its last batch. */
export const DONE = 2 * SLOTS;
/** Number of batches published, valid when DONE. */
export const TOTAL = 2 * SLOTS + 1;
/** A worker failed (its error follows as a message). */
export const FAILED = 2 * SLOTS + 2;
/** The producer asks the readers to stop after the batch they are applying (Ctrl-C). */
export const STOP = 2 * SLOTS + 3;
const WORDS = 2 * SLOTS + 4;

/** The shared buffers of a broadcast. */
export interface Broadcast {
  readonly ring: Ring;
  readonly ctl: Int32Array;
}

/**
 * Records per broadcast slot: large, so each worker runs each of its engines long over one batch with that
 * engine's tables in cache before it turns to the next engine.
 */
export const BROADCAST_BATCH = 1 << 16;
/** Slots after the one being filled that settle() wants free (131 k records: a 1 MiB chunk of the shortest lines). */
const SETTLE_AHEAD = 2;
/** Longest wait of settle() before it looks at the stop request again. */
const SETTLE_WAIT_MS = 20;
/** Atomics.waitAsync (Node 16+; not in the ES2022 lib typings). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** Allocates a broadcast, or maps existing buffers (in a worker). */
export function broadcast(data?: SharedArrayBuffer, ctl?: SharedArrayBuffer): Broadcast {
  return { ring: ring(BROADCAST_BATCH, data), ctl: new Int32Array(ctl ?? new SharedArrayBuffer(WORDS * 4)) };
}

/** The producer: an AccessSink that publishes full batches to `readers` readers. */
export class BroadcastWriter extends BatchWriter {
  private k = 0; // batches published
  constructor(
    private readonly b: Broadcast,
    private readonly readers: number,
    private readonly failed: () => boolean,
    /** A stop was asked for (Ctrl-C): settle() gives up waiting. */
    private readonly stopped: () => boolean = () => false,
  ) {
    super(b.ring);
  }

  /**
   * Readers call it between chunks: a promise while the slots the next chunk can fill are not free yet,
   * resolved once they are (or a stop was asked for), else null. So publish() does not block this thread
   * while a worker is in a long migrate pass: the event loop turns meanwhile, and Ctrl-C is seen at once.
   * A 1 MiB chunk of 8-byte lines fills at most SETTLE_AHEAD batches; a larger chunk may still block.
   */
  settle(): Promise<void> | null {
    const s = this.busySlot();
    if (s < 0) return null;
    return (async () => {
      for (let busy = s; busy >= 0; busy = this.busySlot()) {
        if (this.stopped()) return;
        if (this.failed() || Atomics.load(this.b.ctl, FAILED) === 1) throw new Error('a worker failed');
        const left = Atomics.load(this.b.ctl, REMAINING + busy);
        if (left === 0) continue;
        const w = waitAsync(this.b.ctl, REMAINING + busy, left, SETTLE_WAIT_MS);
        if (w.async) await w.value;
      }
    })();
  }

  /** The first of the slots the next chunk may fill that readers still hold, or -1. */
  private busySlot(): number {
    const { ctl } = this.b;
    for (let d = 1; d <= SETTLE_AHEAD; d++) {
      const s = (this.k + d) % SLOTS;
      if (Atomics.load(ctl, REMAINING + s) !== 0) return s;
    }
    return -1;
  }

  /** Publishes the current batch and waits (blocking) until the next slot is free. */
  publish(): void {
    if (this.n === 0) return;
    const { ctl } = this.b;
    const s = this.k % SLOTS;
    this.b.ring.count[s] = this.n;
    Atomics.store(ctl, REMAINING + s, this.readers);
    Atomics.store(ctl, SEQ + s, Math.floor(this.k / SLOTS) + 1);
    Atomics.notify(ctl, SEQ + s);
    this.k++;
    this.n = 0;
    const next = (this.slot = this.k % SLOTS);
    for (;;) {
      const left = Atomics.load(ctl, REMAINING + next);
      if (left === 0) return;
      if (this.failed() || Atomics.load(ctl, FAILED) === 1) throw new Error('a worker failed');
      Atomics.wait(ctl, REMAINING + next, left, 50);
    }
  }

  /** Asks the readers to stop after their current batch (they then report partial counters). */
  stop(): void {
    const { ctl } = this.b;
    Atomics.store(ctl, STOP, 1);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(ctl, SEQ + s);
  }

  /** Publishes the rest and tells the readers there is no more. */
  end(): void {
    this.publish();
    const { ctl } = this.b;
    Atomics.store(ctl, TOTAL, this.k);
    Atomics.store(ctl, DONE, 1);
    for (let s = 0; s < SLOTS; s++) Atomics.notify(ctl, SEQ + s);
  }
}

/**
 * The reader side: calls `apply` for each batch in order (blocking waits; for worker threads). Returns
 * true when the producer asked to stop (STOP) before the end, false after the last batch.
 */
export function readBroadcast(
  b: Broadcast,
  apply: (pfn: Float64Array, nid: Int32Array, src: Int32Array, time: Float64Array, n: number) => void,
): boolean {
  const { ring: r, ctl } = b;
  const views = Array.from({ length: SLOTS }, (_, s) => ({
    pfn: r.pfn.subarray(s * r.batch, (s + 1) * r.batch),
    nid: r.nid.subarray(s * r.batch, (s + 1) * r.batch),
    src: r.src.subarray(s * r.batch, (s + 1) * r.batch),
    time: r.time.subarray(s * r.batch, (s + 1) * r.batch),
  }));
  for (let k = 0; ; k++) {
    const s = k % SLOTS;
    const gen = Math.floor(k / SLOTS) + 1;
    for (;;) {
      if (Atomics.load(ctl, STOP) === 1) return true;
      const seq = Atomics.load(ctl, SEQ + s);
      if (seq === gen) break;
      if (Atomics.load(ctl, DONE) === 1 && k >= Atomics.load(ctl, TOTAL)) return false;
      Atomics.wait(ctl, SEQ + s, seq, 50);
    }
    const v = views[s]!;
    apply(v.pfn, v.nid, v.src, v.time, r.count[s]!);
    if (Atomics.sub(ctl, REMAINING + s, 1) === 1) Atomics.notify(ctl, REMAINING + s);
  }
}
