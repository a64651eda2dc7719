// A parse thread started before the CLI is even loaded, for `kpromo replay` of a file large enough that its read will
// take one (src/run/replay.ts replayPlan(): plain CSV from 32 MiB). A worker takes 50-60 ms to start on the bench's
// 2-core VM, and about 100 ms while the engine's thread primes V8 beside it; started here, it boots while the bundle
// loads and the command reads its options, and reaches its first block 35-60 ms sooner (replays of the bench's 2 M and
// 10 M traces 0.96x and 0.97x the time, paired medians of 21 and 15 alternating runs, 2026-12-04 22:10 UTC).
// src/trace/early-worker.ts adopts it as the thread it starts early; a replay whose plan has no parse thread ends it.
// The guess is cheap and may be wrong either way: a read that wants a thread and finds none starts its own.
'use strict';
const { statSync } = require('node:fs');
const { join } = require('node:path');

/** Plain CSV files at least this large are read with a parse thread (src/run/replay.ts CSV_PARSE_THREAD_MIN_BYTES). */
const MIN_BYTES = 32 << 20;

/**
 * Whether the command line `args` (after `kpromo`) is a replay that will read with a parse thread, by its words alone:
 * `replay`, an argument that is a regular file of MIN_BYTES or more (not `.gz`: gzip is read without one), and neither
 * `--parse-thread off` nor `--skip-bad` (which reads on the engine's thread).
 */
function wantsParseThread(args, stat = statSync) {
  if (args[0] !== 'replay') return false;
  for (let i = 1; i < args.length; i++) {
    const a = args[i];
    if (a === '--skip-bad' || a === '--parse-thread=off' || (a === '--parse-thread' && args[i + 1] === 'off')) return false;
  }
  return args.slice(1).some((a) => {
    if (a.startsWith('-') || a.endsWith('.gz')) return false;
    try {
      const st = stat(a);
      return st.isFile() && st.size >= MIN_BYTES;
    } catch {
      return false;
    }
  });
}

/**
 * Starts the parse thread for `args` when wantsParseThread(), as src/trace/start-worker.ts and early-worker.ts start one
 * (V8's concurrent recompilation off for worker isolates first, the worker given its work later, unref'd meanwhile),
 * and leaves it in globalThis.__kpromoEarlyThread for early-worker.ts. Returns it, or null. (`stat`: tests.)
 */
function startEarlyThread(args, stat = statSync) {
  if (!wantsParseThread(args, stat)) return null;
  const worker = (() => {
    try {
      require('node:v8').setFlagsFromString('--no-concurrent-recompilation');
      const { Worker } = require('node:worker_threads');
      // The limits of every parse thread (src/trace/worker-link.ts PARSE_THREAD_LIMITS: a test checks they agree).
      return new Worker(join(__dirname, '..', 'dist', 'bundle', 'parse-worker.cjs'), { workerData: null, resourceLimits: module.exports.LIMITS });
    } catch {
      return null; // the read starts its own, and reports why it cannot
    }
  })();
  if (worker === null) return null;
  let exited = false;
  worker.once('exit', () => (exited = true));
  worker.on('error', () => {}); // a failure before a read takes it: the read starts another thread
  worker.unref();
  globalThis.__kpromoEarlyThread = { worker, exited: () => exited };
  return worker;
}

module.exports = { wantsParseThread, startEarlyThread, MIN_BYTES, LIMITS: { maxYoungGenerationSizeMb: 2 } };
