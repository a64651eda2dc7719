/** Worker thread of a shared read (broadcast.ts): applies every broadcast batch to its configurations. */
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchSink } from '../engine/types.js';
import { broadcast, FAILED, readBroadcast } from './broadcast.js';
import type { MultiConfig } from './config.js';
import { finishLanes, lane } from './run-multi.js';
import { serializeError, type SweepReply } from './worker-message.js';

/** What a lane worker is given. */
export interface LaneJob {
  readonly configs: readonly MultiConfig[];
  readonly data: SharedArrayBuffer;
  readonly ctl: SharedArrayBuffer;
}

const job = workerData as LaneJob;
const b = broadcast(job.data, job.ctl);
let reply: SweepReply;
try {
  const lanes = job.configs.map(lane);
  const sinks: BatchSink[] = lanes.map((l) => l.sink);
  let records = 0;
  readBroadcast(b, (pfn, nid, src, time, n) => {
    records += n;
    for (const sink of sinks) {
      if (sink.record_batch) sink.record_batch(pfn, nid, src, time, n);
      else for (let i = 0; i < n; i++) sink.record_access(pfn[i]!, nid[i]!, src[i]!, time[i]!);
    }
  });
  reply = { ok: true, results: finishLanes(lanes), records, bytes: 0, files: 0 };
} catch (e) {
  Atomics.store(b.ctl, FAILED, 1);
  reply = { ok: false, error: serializeError(e) };
}
parentPort!.postMessage(reply);
