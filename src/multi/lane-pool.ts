/**
 * The engine worker threads of one sweep or compare, kept for all its reads of the traces: each read hands the live
 * threads new configurations over the same broadcast ring, its control words cleared. A thread frees the engines of
 * the read before it builds the next read's (lane-worker.ts), so they take the memory those freed in the same thread's
 * allocator arena. A thread is started when a read first needs it; close() ends them all, when the run returns,
 * fails or is stopped (Ctrl-C).
 *
 * Until 2026-12-03 each read started its own threads, and the RSS between reads crept above the --memory budget
 * (152 -> 252 -> 417 MB): glibc keeps the arena of a thread that exited, with the memory its engines freed as it
 * ended, and the next read's new threads, started meanwhile, allocated theirs beside it. docs/compare-sweep.md
 * ("Threads, memory and progress") has the figures before and after.
 */
import type { Worker } from 'node:worker_threads';
import { KpromoError } from '../errors.js';
import { workerStarter, type StartWorker } from '../trace/start-worker.js';
import { broadcast, type Broadcast } from './broadcast.js';
import type { LaneJob, LaneReply } from './lane-worker.js';

let started = 0;
let alive = 0;

/** Lane worker threads this process has started (a diagnostic: one per thread of a run, not one per read). */
export function laneThreadsStarted(): number {
  return started;
}

/** Lane worker threads of this process that have not exited yet. */
export function laneThreadsAlive(): number {
  return alive;
}

/** The reply of a thread ended by close() before it answered. */
const TERMINATED: LaneReply = { ok: false, error: { message: 'terminated' } };

/** What a thread's job waits for: counter names as each engine exists, then one reply. */
interface Pending {
  readonly onNames: (index: number, names: string[]) => void;
  readonly resolve: (r: LaneReply) => void;
  readonly reject: (e: unknown) => void;
}

/** One live thread and the job it is running, if any. */
interface PoolThread {
  readonly worker: Worker;
  pending: Pending | null;
  /** It failed or exited: a later read starts another in its place. */
  dead: boolean;
}

/** Lane worker threads kept across the reads of one run; close() it when the run ends, whatever way. */
export class LanePool {
  private readonly threads: PoolThread[] = [];
  private start: StartWorker | null = null;
  private closed: Promise<void> | null = null;
  private ring: Broadcast | null = null;
  private died: Error | null = null;

  /** `file`: the built lane worker script (shared.ts laneWorkerPath()). */
  constructor(private readonly file: string) {}

  /**
   * The error of the first thread that failed outside a job's own error handling (it threw as it started, or exited
   * without a reply), null while none did. The parsing thread checks it while it waits for a slot: a dead thread
   * never frees its slots.
   */
  failure(): Error | null {
    return this.died;
  }

  /**
   * The broadcast of the next read: the same buffers for every read, its control words cleared. Only between reads:
   * no thread may be reading it. One 6 MiB ring a run, not one a read left to the garbage collectors of this thread
   * and the workers: with a new ring each read, the RSS between the reads of the 512-configuration sweep still rose
   * about 3 MB a read, with one about 0.5 MB (one run each, 2026-12-03).
   */
  broadcast(): Broadcast {
    if (this.threads.some((t) => t.pending !== null)) throw new Error('the broadcast ring is still being read');
    if (this.ring === null) this.ring = broadcast();
    else this.ring.ctl.fill(0);
    return this.ring;
  }

  /**
   * Hands jobs[i] to thread i, starting threads as needed; one promise per job: its thread's reply, a rejection when
   * the thread failed or exited without one, or a `terminated` error reply when close() ended it first.
   */
  async run(jobs: readonly LaneJob[], onNames: Pending['onNames']): Promise<Promise<LaneReply>[]> {
    if (this.closed !== null) throw new KpromoError('KPROMO_WORKER', 'the run\'s engine threads were ended', 70);
    this.start ??= await workerStarter();
    return jobs.map((job, i) => {
      let t = this.threads[i];
      if (t === undefined || t.dead) t = this.threads[i] = this.startThread(this.start!);
      if (t.pending !== null) throw new Error(`lane thread ${i} is still running a job`);
      const thread = t;
      const reply = new Promise<LaneReply>((resolve, reject) => (thread.pending = { onNames, resolve, reject }));
      thread.worker.postMessage(job);
      return reply;
    });
  }

  /** Ends every thread (at once, mid-batch or not); idempotent. A job still running gets the `terminated` reply. */
  close(): Promise<void> {
    this.closed ??= Promise.all(this.threads.map((t) => t.worker.terminate())).then(() => {});
    return this.closed;
  }

  private startThread(start: StartWorker): PoolThread {
    const t: PoolThread = { worker: start(this.file, {}), pending: null, dead: false };
    started++;
    alive++;
    // Listeners are attached before the event loop turns: no message is lost.
    t.worker.on('message', (m: LaneReply) => {
      const p = t.pending;
      if (p === null) return;
      if (m.ok === 'names') {
        p.onNames(m.index, m.names);
        return;
      }
      t.pending = null;
      p.resolve(m);
    });
    t.worker.once('error', (e) => {
      t.dead = true;
      this.died ??= e;
      const p = t.pending;
      t.pending = null;
      p?.reject(e);
    });
    t.worker.once('exit', (code) => {
      alive--;
      t.dead = true;
      const p = t.pending;
      t.pending = null;
      if (p === null) return;
      if (this.closed !== null) {
        p.resolve(TERMINATED);
        return;
      }
      const e = new Error(`worker exited with code ${code} without a result`);
      this.died ??= e;
      p.reject(e);
    });
    return t;
  }
}
