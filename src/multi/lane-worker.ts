/**
 * Worker thread of shared reads (broadcast.ts): for each job it is sent (one per read of the traces, lane-pool.ts),
 * applies every broadcast batch to the job's configurations and replies. The thread lives for the whole run; the
 * engines of a job are dropped when it has replied and collected before the next job's exist (collectTwice()), so
 * those reuse this thread's memory.
 */
import { parentPort } from 'node:worker_threads';
import type { BatchSink } from '../engine/types.js';
import { CounterBoard } from './board.js';
import { broadcast, FAILED, readBroadcast } from './broadcast.js';
import type { MultiConfig } from './config.js';
import type { Bounds } from '../analysis/bounds.js';
import { LaneSet, primeLanes, type BoundsRole, type ConfigResult } from './run-multi.js';
import { serializeError, type SerializedError, type WorkerNames } from './worker-message.js';
import { collectTwice } from './collect.js';

/** What a lane worker is given for one read (a job). */
export interface LaneJob {
  readonly configs: readonly MultiConfig[];
  /** Which of them compute the bounds of their topology (boundsRoles() of the whole run). */
  readonly roles: readonly BoundsRole[];
  readonly data: SharedArrayBuffer;
  readonly ctl: SharedArrayBuffer;
  /** The run's counter board (board.ts), its size, and this worker's first slot on it. */
  readonly board: SharedArrayBuffer;
  readonly boardSize: number;
  readonly offset: number;
}

/** A lane worker's messages: counter names first, then results, a stop, or an error. */
export type LaneReply =
  | WorkerNames
  | { readonly ok: true; readonly results: ConfigResult[]; readonly bounds: [string, Bounds][] }
  | { readonly ok: 'stopped' }
  | { readonly ok: false; readonly error: SerializedError };

const post = (m: LaneReply): void => parentPort!.postMessage(m);

/** Runs one read's job: its engines exist only here. */
function runJob(job: LaneJob): LaneReply {
  const b = broadcast(job.data, job.ctl);
  try {
    // While the reading thread starts its read (run-multi.ts primeLanes(): once per engine class on this thread).
    primeLanes(job.configs, job.roles);
    const set = new LaneSet(job.configs, {
      board: new CounterBoard(job.boardSize, job.board),
      offset: job.offset,
      onNames: (index, names) => post({ ok: 'names', index, names: [...names] }),
    }, job.roles);
    const sinks: BatchSink[] = set.sinks; // the lanes', and the bounds counters
    const stopped = readBroadcast(b, (pfn, nid, src, time, n) => {
      for (const sink of sinks) {
        if (sink.record_batch) sink.record_batch(pfn, nid, src, time, n);
        else for (let i = 0; i < n; i++) sink.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
      }
      set.applied(n);
    });
    return stopped ? { ok: 'stopped' } : { ok: true, results: set.finish(), bounds: [...set.bounds()] };
  } catch (e) {
    Atomics.store(b.ctl, FAILED, 1);
    return { ok: false, error: serializeError(e) };
  }
}

// The port keeps the thread alive between jobs; the pool ends it (terminate()). A run of one read (a compare) sets no
// flag and collects nothing.
let ran = false;
parentPort!.on('message', (job: LaneJob) => {
  if (ran) collectTwice(); // the engines of the job before, before this job's exist
  ran = true;
  post(runJob(job));
});
