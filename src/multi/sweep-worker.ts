/** Worker thread of a parallel sweep: runs one slice of the grid over its own read of the traces. */
import { parentPort, workerData } from 'node:worker_threads';
import { runMulti } from './run-multi.js';
import { serializeError, type SweepJob, type SweepReply } from './worker-message.js';

const job = workerData as SweepJob;
let reply: SweepReply;
try {
  const r = await runMulti(job.configs, { inputs: job.inputs, parser: job.parser });
  reply = { ok: true, results: r.results, records: r.read.records, bytes: r.read.bytes, files: r.read.files };
} catch (e) {
  reply = { ok: false, error: serializeError(e) };
}
parentPort!.postMessage(reply);
