/**
 * Whether this machine's cores are alike, as far as the bench's figures depend on it.
 *
 * On the 2-core VM where kpromo is developed, one core copied memory up to five times slower than the other, and the
 * native reference (one thread) took 0.29 s on one core and 0.58 s on the other for the same 2 M-record trace
 * (2026-12-02, `taskset -c`). A single-threaded program runs where the scheduler puts it; a replay uses both cores.
 * Alternating runs does not even that out, so the bench measures each core and prints what it found: a memory copy and
 * a page's first touch (a fault) per core, and the native reference pinned to each core.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Cores the bench probes at most. */
const MAX_CORES = 8;

/** Runs in a pinned child: a 64 MiB copy (best of 4) and the first touch of 64 MiB of fresh memory, per 4 KiB page. */
const PROBE = `
const a = Buffer.alloc(64 << 20, 1), b = Buffer.allocUnsafe(64 << 20);
let best = Infinity;
for (let i = 0; i < 4; i++) { const t = performance.now(); a.copy(b); best = Math.min(best, performance.now() - t); }
const f = new Float64Array(8 << 20);
const t = performance.now();
for (let i = 0; i < f.length; i += 512) f[i] = 1;
const touch = performance.now() - t;
console.log(JSON.stringify({ gbs: 64 / 1024 / (best / 1000), us: (touch * 1000) / (f.length / 512) }));
`;

/** Whether `taskset -c N` works here (util-linux, and an affinity the process may set). */
export function canPin(): boolean {
  const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
  return r.status === 0;
}

/** The cores to probe: 0 .. min(available, MAX_CORES) - 1. */
export function coresToProbe(): number[] {
  return Array.from({ length: Math.min(availableParallelism(), MAX_CORES) }, (_, i) => i);
}

/** `command` pinned to `core` (taskset -c). */
export function pinned(core: number, command: string, args: readonly string[]): [string, string[]] {
  return ['taskset', ['-c', String(core), command, ...args]];
}

export interface CoreProbe {
  core: number;
  /** Memory copy, GB/s. */
  gbs: number;
  /** First touch of a fresh page, µs. */
  us: number;
}

/** The probe on each core, or null where pinning does not work. */
export function probeCores(env: NodeJS.ProcessEnv): CoreProbe[] | null {
  if (!canPin()) return null;
  const out: CoreProbe[] = [];
  for (const core of coresToProbe()) {
    const [cmd, args] = pinned(core, process.execPath, ['-e', PROBE]);
    const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
    if (r.status !== 0) return null;
    const { gbs, us } = JSON.parse(r.stdout.trim()) as { gbs: number; us: number };
    out.push({ core, gbs, us });
  }
  return out;
}

/** One line on the cores: each core's copy speed and first-touch cost, and how far apart the cores are. */
export function coreNote(probes: CoreProbe[] | null): string {
  if (probes === null) return 'cores: not probed (taskset -c does not work here)';
  const each = probes.map((p) => `cpu${p.core} copies ${p.gbs.toFixed(1)} GB/s, first touch ${p.us.toFixed(1)} µs a page`).join('; ');
  const speeds = probes.map((p) => p.gbs);
  const spreadX = Math.max(...speeds) / Math.min(...speeds);
  const warn =
    probes.length > 1 && spreadX >= 1.3
      ? ` The cores differ (${spreadX.toFixed(1)}x in copy speed): a one-thread program's time depends on the core the scheduler gives it; the native section shows the C code pinned to each core.`
      : '';
  return `cores (taskset -c, each alone): ${each}.${warn}`;
}
