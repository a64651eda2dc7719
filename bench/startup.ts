/**
 * Start-up benchmark (`npm run bench:startup`; never run by vitest): `kpromo --help` and a replay of a
 * 10-line trace against a bare `node -e 0`, each run many times in fresh processes, interleaved so that
 * load from other processes hits every command alike. Prints medians of wall time and, where
 * `perf stat` or /usr/bin/time works, of CPU time (user + system), which other processes disturb less; the target is
 * 1.5x `node -e 0` for both. Every command runs without NODE_EXTRA_CA_CERTS (bench/environment.ts): set, it adds the
 * same 50 ms or so to all three, which hid a 10-line replay's 2.2x behind 1.2x.
 *
 *   node dist/bench/startup.js [--runs N] [--bin FILE]...
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv, environmentNote } from './environment.js';
import { median } from './ratios.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bin/kpromo.js of this checkout (dist/bench/ is two levels below the root). */
const DEFAULT_BIN = join(here, '..', '..', 'bin', 'kpromo.js');
const TARGET = 1.5;
const TIME = '/usr/bin/time';

interface Sample {
  wall: number;
  cpu: number | null;
}

/** How CPU time is measured: `perf stat` (task-clock, in ms), else /usr/bin/time (10 ms steps), else not. */
function cpuMeter(): 'perf' | 'time' | null {
  const probe = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', process.execPath, '-e', '0'], { encoding: 'utf8' });
  if (probe.status === 0 && /task-clock/.test(probe.stderr)) return 'perf';
  return existsSync(TIME) ? 'time' : null;
}

/** Runs argv once; wall from hrtime, CPU (user + system) from the meter. */
function runOnce(argv: readonly string[], meter: 'perf' | 'time' | null): Sample {
  const pre = meter === 'perf' ? ['perf', 'stat', '-x,', '-e', 'task-clock'] : meter === 'time' ? [TIME, '-f', '@@%U %S'] : [];
  const all = [...pre, ...argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(all[0]!, all.slice(1), { env: benchEnv(), stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  let cpu: number | null = null;
  if (meter === 'perf') {
    const m = /^([\d.]+),[^,]*,task-clock/m.exec(r.stderr);
    cpu = m ? Number(m[1]) : null;
  } else if (meter === 'time') {
    const m = /@@([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    cpu = m ? (Number(m[1]) + Number(m[2])) * 1000 : null;
  }
  return { wall, cpu };
}

function main(argv: readonly string[]): number {
  let runs = 21;
  const bins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') runs = Number(argv[++i]);
    else if (argv[i] === '--bin') bins.push(argv[++i]!);
    else {
      process.stderr.write(`usage: node dist/bench/startup.js [--runs N] [--bin FILE]...  (several --bin: compared in one interleaved run)\n`);
      return 2;
    }
  }
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs: expected an integer >= 1');
  const dir = mkdtempSync(join(tmpdir(), 'kpromo-startup-'));
  try {
    const trace = join(dir, 'ten.csv');
    let text = 'pfn,nid,src,time\n';
    for (let i = 1; i <= 10; i++) text += `0x${(0x200000 + (i % 3)).toString(16)},0,hwhints,${4294892296 + 50 * i}\n`;
    writeFileSync(trace, text);
    if (bins.length === 0) bins.push(DEFAULT_BIN);
    const cases: Record<string, string[]> = { 'node -e 0': [process.execPath, '-e', '0'] };
    for (const bin of bins) {
      const tag = bins.length === 1 ? '' : ` [${bin}]`;
      cases[`kpromo --help${tag}`] = [process.execPath, bin, '--help'];
      cases[`kpromo replay (10 lines)${tag}`] = [process.execPath, bin, 'replay', trace];
    }
    const samples: Record<string, Sample[]> = {};
    const meter = cpuMeter();
    for (const name of Object.keys(cases)) runOnce(cases[name]!, meter); // warm the file cache
    for (let i = 0; i < runs; i++) for (const [name, c] of Object.entries(cases)) (samples[name] ??= []).push(runOnce(c, meter));
    const base = samples['node -e 0']!;
    const baseWall = median(base.map((s) => s.wall));
    const baseCpu = base.some((s) => s.cpu === null) ? null : median(base.map((s) => s.cpu!));
    const note = environmentNote();
    if (note !== '') process.stdout.write(`${note}\n`);
    process.stdout.write(`cpu time from ${meter === 'perf' ? 'perf stat task-clock' : meter === 'time' ? '/usr/bin/time (10 ms steps)' : 'nothing (no perf, no /usr/bin/time)'}\n`);
    process.stdout.write(`start-up, medians of ${runs} interleaved runs (target: <= ${TARGET}x node -e 0)\n`);
    for (const [name, list] of Object.entries(samples)) {
      const wall = median(list.map((s) => s.wall));
      const cpu = baseCpu === null || list.some((s) => s.cpu === null) ? null : median(list.map((s) => s.cpu!));
      const spread = Math.max(...list.map((s) => s.wall)) - Math.min(...list.map((s) => s.wall));
      process.stdout.write(
        `  ${name.padEnd(bins.length === 1 ? 26 : 60)} wall ${wall.toFixed(1).padStart(7)} ms ${(wall / baseWall).toFixed(2)}x (spread ${spread.toFixed(0)} ms)` +
          (cpu === null || baseCpu === null ? '' : `   cpu ${cpu.toFixed(1).padStart(6)} ms ${(cpu / baseCpu).toFixed(2)}x`) +
          '\n',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
