/**
 * The native reference: bench/native/kpromoted-harness.c (the patch's record/migrate code with a native CSV
 * parser) built with `cc -O2` when a C compiler exists, run on the same trace as `kpromo replay`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/native/kpromoted-harness.c: beside this file in bench/ (tests), two levels up from dist/bench/ (the bench). */
const here = fileURLToPath(new URL('.', import.meta.url));
const HARNESS_PLACES = [join(here, 'native', 'kpromoted-harness.c'), join(here, '..', '..', 'bench', 'native', 'kpromoted-harness.c')];
export const HARNESS_SOURCE = HARNESS_PLACES.find((f) => existsSync(f)) ?? HARNESS_PLACES[0]!;

/** One run of the harness. */
export interface NativeRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKiB: number;
  /** Minor page faults (getrusage ru_minflt). */
  readonly minorFaults: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Builds the harness (cached by source hash); returns its path, or why it cannot be built. */
export function buildHarness(): { path: string } | { error: string } {
  if (!existsSync(HARNESS_SOURCE)) return { error: `no ${HARNESS_SOURCE}` };
  const src = readFileSync(HARNESS_SOURCE);
  const key = createHash('sha256').update(src).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), 'kpromo-bench');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `kpromoted-harness-${key}`);
  if (existsSync(out)) return { path: out };
  const cc = process.env['CC'] ?? 'cc';
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync(cc, ['-O2', '-o', tmp, HARNESS_SOURCE], { encoding: 'utf8' });
  if (r.error !== undefined) return { error: `${cc}: ${r.error.message}` };
  if (r.status !== 0) return { error: `${cc} -O2 failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}` };
  renameSync(tmp, out);
  return { path: out };
}

/** Runs the harness once on `trace` (`args` after it: `--engine-alone`). */
export function runHarness(path: string, trace: string, core: number | null = null, args: readonly string[] = []): Promise<NativeRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // Pinned: taskset execs the harness (its rusage is the harness's own).
    const child =
      core === null ? spawn(path, [trace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-c', String(core), path, trace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      const stats = harnessStats(err);
      if (code !== 0 || stats === null) reject(new Error(`harness exit ${String(code)}: ${err.trim().slice(-300)}`));
      else resolve({ wallMs, ...stats, stdout: out, stderr: err });
    });
  });
}

/** The harness's own figures, from its stderr line `cpu_ms N maxrss_kib N minflt N` (getrusage), or null. */
export function harnessStats(stderr: string): Pick<NativeRun, 'cpuMs' | 'maxRssKiB' | 'minorFaults'> | null {
  const m = /^cpu_ms (\d+) maxrss_kib (\d+) minflt (\d+)$/m.exec(stderr);
  return m === null ? null : { cpuMs: Number(m[1]), maxRssKiB: Number(m[2]), minorFaults: Number(m[3]) };
}

/** The record and migrate part alone of a run with `--engine-alone`: its stderr line `engine_ms N engine_cpu_ms N`, or null. */
export function harnessEngineStats(stderr: string): { engineMs: number; engineCpuMs: number } | null {
  const m = /^engine_ms (\d+(?:\.\d+)?) engine_cpu_ms (\d+(?:\.\d+)?)$/m.exec(stderr);
  return m === null ? null : { engineMs: Number(m[1]), engineCpuMs: Number(m[2]) };
}

/** Counter lines of a vmstat output, by name. */
export function vmstat(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\d+)$/.exec(line);
    if (m !== null) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Why kpromo's counters differ from the harness's (every harness counter must match), or null. */
export function sameCounters(kpromo: string, native: string): string | null {
  const k = vmstat(kpromo);
  const n = vmstat(native);
  if (n.size === 0) return 'the harness printed no counters';
  for (const [name, v] of n) if (k.get(name) !== v) return `${name}: kpromo ${String(k.get(name))}, C ${v}`;
  return null;
}
