/**
 * The engine alone against the C code's record and migrate functions alone (bench/native/kpromoted-harness.c
 * --engine-alone): the trace's records first parsed into memory, then only the engine timed, each in a fresh process.
 * The native section's end-to-end ratios also hold Node's start, the parse thread's and V8's warm-up, and the two CSV
 * parsers; this one says how kpromo's engine compares with the patch's own code on the same records.
 */
import type { BatchSink } from '../src/engine/types.js';
import type { BenchTask, TaskResult } from './tasks.js';

/** Records per record_batch() call: a ring slot of a replay with dense page state (src/run/replay.ts BLOCK_RING_BATCH). */
const BATCH = 1 << 16;

/** What the task reports beside records and ms: its prime, the engine's CPU time, and the counters (vmstat lines). */
export interface EngineAloneResult extends TaskResult {
  /** V8's prime of the engine's code before the timed part, as a replay primes it (src/run/prime.ts). */
  readonly primeMs: number;
  /** CPU time of the process (every thread: V8's compiler threads too) over the timed part. */
  readonly cpuMs: number;
  /** `name value` lines, as `kpromo replay --format vmstat` prints them. */
  readonly vmstat: string;
}

/** The whole trace in memory: columns of `n` records. */
class Held {
  n = 0;
  constructor(
    cap: number,
    readonly pfn = new Float64Array(cap),
    readonly nid = new Int32Array(cap),
    readonly src = new Int32Array(cap),
    readonly time = new Float64Array(cap),
  ) {}
}

/** Reads `file` (a CSV trace over preset 2s-cxl, the C code's topology) into memory, then replays it through rfc-v1. */
export async function engineAlone(file: string): Promise<EngineAloneResult> {
  const { readTraces } = await import('../src/trace/read.js');
  const { normalizeReplayOptions } = await import('../src/run/settings.js');
  const { loadTopology } = await import('../src/topology/load.js');
  const { createEngine } = await import('../src/engine/registry.js');
  const { primeEngine } = await import('../src/run/prime.js');
  // Counted first, then held in columns of that size: columns grown by copying freed buffers of up to 32 MiB, which
  // raised glibc's mmap threshold, and the engine's slab of 8 MiB then came from its heap, zeroed page by page (about
  // 45 ms of page faults in the 2 M trace's engine, which a replay does not pay).
  let count = 0;
  await readTraces([{ name: file }], {
    record_access() {
      count++;
    },
    record_batch(_p: Float64Array, _n: Int32Array, _s: Int32Array, _t: Float64Array, n: number) {
      count += n;
    },
  } as BatchSink);
  const held = new Held(count);
  const sink: BatchSink = {
    record_access(pfn, nid, src, time) {
      const i = held.n++;
      held.pfn[i] = pfn;
      held.nid[i] = nid;
      held.src[i] = src;
      held.time[i] = time;
    },
    record_batch(pfn, nid, src, time, n) {
      held.pfn.set(pfn.subarray(0, n), held.n);
      held.nid.set(nid.subarray(0, n), held.n);
      held.src.set(src.subarray(0, n), held.n);
      held.time.set(time.subarray(0, n), held.n);
      held.n += n;
    },
  };
  await readTraces([{ name: file }], sink);
  if (held.n !== count) throw new Error(`${file}: ${held.n} records on the second read, ${count} on the first`);
  // The replay's defaults (`kpromo replay FILE`): preset 2s-cxl, rfc-v1.
  const raw = { topology: '2s-cxl', engine: 'rfc-v1', hz: '250', defaultNode: '1', hashOrder: '16', parser: 'auto' };
  const settings = normalizeReplayOptions(raw, [file], (arg) => loadTopology(arg));
  const made = createEngine(settings.engine, settings);
  if (typeof (made as BatchSink).record_batch !== 'function') throw new Error(`engine ${made.name} takes no batches`);
  const engine = made as typeof made & Required<Pick<BatchSink, 'record_batch'>>;
  const p0 = performance.now();
  primeEngine(settings.engine, settings);
  const primeMs = performance.now() - p0;
  const { pfn, nid, src, time, n } = held;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += BATCH) {
    const m = Math.min(BATCH, n - i);
    engine.record_batch(pfn.subarray(i, i + m), nid.subarray(i, i + m), src.subarray(i, i + m), time.subarray(i, i + m), m);
  }
  engine.finish();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const vmstat = engine
    .counters()
    .map((c) => `${c.name} ${c.value}\n`)
    .join('');
  return { records: n, ms, primeMs, cpuMs: (cpu.user + cpu.system) / 1000, vmstat };
}

export const ENGINE_ALONE_TASKS: Readonly<Record<string, BenchTask>> = { 'engine-alone': engineAlone };
