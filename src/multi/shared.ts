/**
 * Several configurations over ONE read of the traces, on every core: this thread parses once into a
 * broadcast ring (broadcast.ts), and each worker thread applies every record to its share of the
 * configurations (lane-worker.ts). The threads come from a pool that a sweep keeps for all its reads
 * (lane-pool.ts). Results come back in configuration order, errors as readInputs() or the engines would throw
 * them. Stopped (Ctrl-C), every worker reports its configurations' partial counters.
 */
import { existsSync } from 'node:fs';
import { KpromoError } from '../errors.js';
import { readInputs } from '../trace/input.js';
import { builtWorkerPath } from '../trace/worker-link.js';
import { BroadcastWriter, FAILED } from './broadcast.js';
import type { MultiConfig } from './config.js';
import { LanePool } from './lane-pool.js';
import type { LaneJob } from './lane-worker.js';
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

/**
 * Runs `configs` split over `threads` worker threads fed by one read of the traces: threads of `pool` (a run of
 * several reads passes its own and closes it at its end), else of a pool ended before this returns. A failed or
 * stopped read ends the pool's threads (a thread may be blocked mid-batch).
 */
export async function runShared(
  configs: readonly MultiConfig[],
  opts: MultiRunOptions,
  threads: number,
  offset = 0,
  pool?: LanePool,
): Promise<MultiResult> {
  const file = laneWorkerPath();
  if (!existsSync(file)) throw new KpromoError('KPROMO_WORKER', `worker ${file} is missing (run \`npm run build\`)`, 70);
  if (pool !== undefined) return readShared(configs, opts, threads, offset, pool);
  const own = new LanePool(file);
  try {
    return await readShared(configs, opts, threads, offset, own);
  } finally {
    await own.close();
  }
}

async function readShared(configs: readonly MultiConfig[], opts: MultiRunOptions, threads: number, offset: number, pool: LanePool): Promise<MultiResult> {
  const parts = slices(configs, threads);
  // The bounds of each topology are computed once, by one worker; runShared gives them to every result.
  const roles = boundsRoles(configs);
  let at = 0;
  const track = opts.track ?? new RunTracker(configs);
  const b = pool.broadcast();
  const jobs = parts.map((part): LaneJob => {
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
    return job;
  });
  const replies = await pool.run(jobs, (index, names) => (track.names[index] = names));
  for (const p of replies) p.catch(() => {}); // awaited below; a failure while this thread parses is handled there
  const stopAll = () => pool.close();
  const first = configs[0]!.settings;
  // A thread that died never frees its slots: the parsing stops waiting for them.
  const writer = new BroadcastWriter(b, parts.length, () => pool.failure() !== null, opts.shouldStop);
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
      // A worker failed first: its error is the one to report. Only its reply is awaited: the other threads wait
      // for batches that will not come until stopAll() ends them.
      const failed = await Promise.any(replies.map((p) => p.then((r) => (r.ok === false ? r : Promise.reject(r))))).catch(() => null);
      await stopAll();
      if (failed !== null) throw reviveError(failed.error);
      throw e;
    }
    const died = pool.failure();
    await stopAll();
    throw died ?? e;
  }
  if (read.stopped) {
    // The partial counters are on the board already: end the workers at once, mid-batch or not.
    writer.stop();
    await stopAll();
    return { results: [], read, interrupted: true };
  }
  const rs = await Promise.all(replies).catch(async (e: unknown) => {
    await stopAll();
    throw e;
  });
  for (const r of rs) {
    if (r.ok !== false) continue;
    await stopAll();
    throw reviveError(r.error);
  }
  const bounds = new Map(rs.flatMap((r) => (r.ok === true ? r.bounds : [])));
  const results = rs.flatMap((r) => (r.ok === true ? r.results : [])).map((r, i) => {
    const b = bounds.get(boundsKey(configs[i]!));
    return b === undefined ? r : { ...r, metrics: withBounds(r.metrics, b) };
  });
  return { results, read, interrupted: false };
}
