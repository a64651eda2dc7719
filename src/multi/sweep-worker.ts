/** Worker thread of a parallel sweep: runs one slice of the grid over its own read of the traces. */
import { parentPort, workerData } from 'node:worker_threads';
import { CounterBoard } from './board.js';
import { runMulti } from './run-multi.js';
import { serializeError, type SweepJob, type SweepMessage } from './worker-message.js';

const job = workerData as SweepJob;
const stop = new Int32Array(job.stop);
const post = (m: SweepMessage): void => parentPort!.postMessage(m);
let reply: SweepMessage;
try {
  const r = await runMulti(
    job.configs,
    {
      inputs: job.inputs,
      parser: job.parser,
      shouldStop: () => Atomics.load(stop, 0) === 1,
      onProgress: (progress) => post({ ok: 'progress', progress }),
    },
    { board: new CounterBoard(job.boardSize, job.board), offset: job.offset, onNames: (index, names) => post({ ok: 'names', index, names: [...names] }) },
  );
  reply = r.interrupted ? { ok: 'stopped' } : { ok: true, results: r.results, read: r.read };
} catch (e) {
  reply = { ok: false, error: serializeError(e) };
}
post(reply);
