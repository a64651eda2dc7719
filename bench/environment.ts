/**
 * What the bench takes out of the environment of the processes it times, and the note that says so.
 *
 * NODE_EXTRA_CA_CERTS names a file of TLS certificates that Node reads and parses at every start, before any of the
 * program runs (node::crypto::UseExtraCaCerts: `perf record` put 47 % of a `node -e 0` in it on a machine whose
 * variable names the system bundle of 144 certificates; 0.07-0.10 s against 0.02-0.04 s without). kpromo opens no
 * TLS connection, so the variable changes nothing for it but every start, and the native reference does not pay it at
 * all. The bench times kpromo (and the bare `node -e 0` of the start-up ratios) without it, as on a machine that does
 * not set it, and prints what a start costs with it, so that a reader on such a machine can add it back.
 */
import { spawnSync } from 'node:child_process';
import { median } from './ratios.js';

/** Variables removed from the environment of every process the bench times. */
export const UNTIMED_VARS = ['NODE_EXTRA_CA_CERTS'] as const;

/** `env` without UNTIMED_VARS, plus `extra`. */
export function benchEnv(extra: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, ...extra };
  for (const v of UNTIMED_VARS) delete out[v];
  return out;
}

/** Wall time of one `node -e 0` in `env`, in ms. */
function bareNode(env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-e', '0'], { env, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node -e 0 exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * The note on the variables set here that the bench removed, with what they cost a start (median of `runs`
 * `node -e 0` with and without, alternating); '' when none is set.
 */
export function environmentNote(runs = 9, env: NodeJS.ProcessEnv = process.env): string {
  const set = UNTIMED_VARS.filter((v) => env[v] !== undefined && env[v] !== '');
  if (set.length === 0) return '';
  const withVars: number[] = [];
  const without: number[] = [];
  const clean = benchEnv({}, env);
  for (let i = 0; i < runs; i++) {
    withVars.push(bareNode(env));
    without.push(bareNode(clean));
  }
  const a = median(withVars);
  const b = median(without);
  return (
    `environment: ${set.map((v) => `${v}=${env[v]}`).join(' ')} is set here; node reads it at every start, before any ` +
    `program runs: \`node -e 0\` ${(a / 1000).toFixed(3)} s with it, ${(b / 1000).toFixed(3)} s without (median of ${runs} each). ` +
    `kpromo opens no TLS connection: every run below is timed without it; with it, each kpromo start costs about ` +
    `${((a - b) / 1000).toFixed(3)} s more.`
  );
}
