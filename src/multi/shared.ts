/**
 * Several configurations over ONE read of the traces, on every core: this thread parses once into a
 * broadcast ring (broadcast.ts), and each worker thread applies every record to its share of the
 * configurations (lane-worker.ts). Results come back in configuration order, errors as readInputs() or
 * the engines would throw them. Stopped (Ctrl-C), every worker reports its configurations' partial counters.
 */
import { existsSync } from 'node:fs';
import { KpromoError } from '../errors.js';
import { readInputs } from '../trace/input.js';
import { workerStarter } from '../trace/start-worker.js';
import { builtWorkerPath } from '../trace/worker-link.js';
import { broadcast, BroadcastWriter, FAILED } from './broadcast.js';
import type { MultiConfig } from './config.js';
import type { LaneJob, LaneReply } from './lane-worker.js';
import { RunTracker } from './board.js';
import { withBounds } from './metrics.js';
import { boundsKey, boundsRoles, type MultiResult, type MultiRunOptions } from './run-multi.js';
import { slices } from './slices.js';
import { reviveError } from './worker-message.js';

/** The built lane worker (tests run from TypeScript sources and use dist/). */
export function laneWorkerPath(): string {
  return builtWorkerPath(import.meta.url, 'multi', 'lane-worker');
}

/** Whether runShared can serve these inputs: files only (standard input is read in process), worker built. */
export function canRunShared(opts: Pick<MultiRunOptions, 'inputs'>): boolean {
  return opts.inputs.length > 0 && opts.inputs.every((i) => i.name !== '-') && existsSync(laneWorkerPath());
}

/** Runs `configs` split over `threads` worker threads fed by one read of the traces. */
export async function runShared(configs: readonly MultiConfig[], opts: MultiRunOptions, threads: number, offset = 0): Promise<MultiResult> {
  const file = laneWorkerPath();
  if (!existsSync(file)) throw new KpromoError('KPROMO_WORKER', `worker ${file} is missing (run \`npm run build\`)`, 70);
  const parts = slices(configs, threads);
  // The bounds of each topology are computed once, by one worker; runShared gives them to every result.
  const roles = boundsRoles(configs);
  let at = 0;
  const track = opts.track ?? new RunTracker(configs);
  const b = broadcast();
  const start = await workerStarter();
  const workers = parts.map((part) => {
    const job: LaneJob = {
      configs: part,
      roles: roles.slice(at, (at += part.length)),
      data: b.ring.buffer,
      ctl: b.ctl.buffer as SharedArrayBuffer,
      board: track.board.buffer,
      boardSize: track.board.size,
      offset,
    };
    offset += part.length;
    return start(file, { workerData: job });
  });
  let terminating = false;
  const replies = workers.map(
    (w) =>
      new Promise<LaneReply>((resolve, reject) => {
        let answered = false;
        w.on('message', (m: LaneReply) => {
          if (m.ok === 'names') {
            track.names[m.index] = m.names;
            return;
          }
          answered = true;
          resolve(m);
        });
        w.once('error', reject);
        w.once('exit', (code) => {
          if (answered) return;
          if (terminating) resolve({ ok: false, error: { message: 'terminated' } });
          else reject(new Error(`worker exited with code ${code} without a result`));
        });
      }),
  );
  for (const p of replies) p.catch(() => {}); // awaited below; a failure while this thread parses is handled there
  const stopAll = async () => {
    terminating = true;
    await Promise.all(workers.map((w) => w.terminate()));
  };
  const first = configs[0]!.settings;
  const writer = new BroadcastWriter(b, parts.length, () => false, opts.shouldStop);
  let read;
  try {
    read = await readInputs([...opts.inputs], writer, {
      input: opts.input ?? first.input,
      topology: first.rfc.topology,
      hz: first.rfc.hz,
      parser: opts.parser,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.shouldStop ? { shouldStop: opts.shouldStop } : {}),
      ...(opts.onBad ? { onBad: opts.onBad } : {}),
    });
    if (!read.stopped) writer.end();
  } catch (e) {
    if (Atomics.load(b.ctl, FAILED) === 1) {
      // A worker failed first: its error is the one to report.
      for (const r of await Promise.allSettled(replies)) {
        if (r.status === 'fulfilled' && r.value.ok === false) {
          await stopAll();
          throw reviveError(r.value.error);
        }
      }
    }
    await stopAll();
    throw e;
  }
  if (read.stopped) {
    // The partial counters are on the board already: end the workers at once, mid-batch or not.
    writer.stop();
    await stopAll();
    return { results: [], read, interrupted: true };
  }
  const rs = await Promise.all(replies);
  for (const r of rs) if (r.ok === false) throw reviveError(r.error);
  const bounds = new Map(rs.flatMap((r) => (r.ok === true ? r.bounds : [])));
  const results = rs.flatMap((r) => (r.ok === true ? r.results : [])).map((r, i) => {
    const b = bounds.get(boundsKey(configs[i]!));
    return b === undefined ? r : { ...r, metrics: withBounds(r.metrics, b) };
  });
  return { results, read, interrupted: false };
}
