/**
 * Helpers of the block-read tests (parallel.test.ts, perf-blocks.test.ts, stream-blocks.test.ts): one file read in
 * process and read in blocks on two threads, record lists compared without a giant diff, and seeded CSV traces.
 */
import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import { readInputs, type InputOptions } from '../../src/trace/input.js';
import { readInputsThreaded } from '../../src/trace/threaded.js';
import type { InputStats } from '../../src/trace/input.js';
import { prng } from '../prng.js';

/** Keeps this thread busy for `ms`. */
export function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

type Sink = { record_access: (p: number, n: number, s: number, t: number) => void };
type Opts = InputOptions & { topology: NonNullable<InputOptions['topology']>; hz: number };

/**
 * The in-process read and the threaded read of `file` (or of several files as one stream; blocks of `blockBytes`):
 * records (flat), and the stats or the error. The threaded read's engine is slow (0.2 ms a batch), as a real one is
 * next to parsing small blocks: so the parse thread parses blocks too, not only this thread.
 */
export async function bothReads(file: string | readonly string[], blockBytes: number, opts: Opts) {
  const inputs = (typeof file === 'string' ? [file] : file).map((name) => ({ name }));
  const run = async (f: (sink: Sink) => Promise<unknown>, slow: boolean) => {
    const recs: number[] = [];
    const one = (p: number, n: number, s: number, t: number) => void recs.push(p, n, s, t);
    const sink = slow
      ? {
          record_access: one,
          record_batch: (P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, k: number) => {
            spin(0.2);
            for (let i = 0; i < k; i++) one(P[i]!, N[i]!, S[i]!, T[i]!);
          },
        }
      : { record_access: one };
    try {
      return { recs, stats: await f(sink) };
    } catch (error) {
      return { recs, error };
    }
  };
  const want = await run((sink) => readInputs(inputs, sink, opts), false);
  const got = await run((sink) => readInputsThreaded(inputs, sink, { ...opts, blockBytes }), true);
  return { want, got };
}

/** Equal flat record lists, compared without a giant diff. */
export function expectSameRecords(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  let i = 0;
  while (i < want.length && Object.is(got[i], want[i])) i++;
  expect(got.slice(i, i + 8), `from number ${i} on`).toEqual(want.slice(i, i + 8));
}

/**
 * A threaded read of `file` in blocks of `blockBytes` while it grows: `tail` is appended at the first record, long before
 * the last block. The records (flat) and the stats.
 */
export async function readGrowing(file: string, tail: string, blockBytes: number, opts: Opts): Promise<{ recs: number[]; stats: InputStats }> {
  const recs: number[] = [];
  const one = (p: number, n: number, s: number, t: number) => {
    if (recs.length === 0) appendFileSync(file, tail);
    recs.push(p, n, s, t);
  };
  const sink = {
    record_access: one,
    record_batch: (P: Float64Array, N: Int32Array, S: Int32Array, T: Float64Array, k: number) => {
      for (let i = 0; i < k; i++) one(P[i]!, N[i]!, S[i]!, T[i]!);
    },
  };
  const stats = await readInputsThreaded([{ name: file }], sink, { ...opts, blockBytes });
  return { recs, stats };
}

/**
 * A CSV trace of `n` records (seeded: the same text for the same seed), with a `#` line now and then; `line(i)`, when
 * not null, stands in place of record i.
 */
/** Lines for csv(): every third a hot page (hundreds of accesses each: page counts with carries), every eleventh a top-tier pfn. */
export const hotLine = (i: number): string | null =>
  i % 3 === 0 ? `0x${(0x200000 + (i % 7)).toString(16)},0,hwhints,${4294892296 + (i >> 5)}\n` : i % 11 === 0 ? `0x${(i % 0x1000).toString(16)},1,pgtscan,${4294892296 + (i >> 5)}\n` : null;

export function csv(n: number, seed: number, line: (i: number) => string | null = () => null): string {
  const r = prng(seed);
  let out = 'pfn,nid,src,time\n';
  for (let i = 0; i < n; i++) {
    const special = line(i);
    if (special !== null) {
      out += special;
      continue;
    }
    if (r() < 0.01) out += '# note\n';
    out += `0x${(0x200000 + Math.floor(r() * 500000)).toString(16)},${Math.floor(r() * 3) - 1},${r() < 0.5 ? 'pgtscan' : 'hwhints'},${4294892296 + (i >> 5)}\n`;
  }
  return out;
}

/**
 * A canonical CSV text (csv()) in other layouts the general reader takes: the columns reordered, a row names column
 * before them (pandas' index), R's write.csv (quoted names, a quoted row names column, quoted strings), names and
 * fields padded. Lines that are not `pfn,nid,src,time` data (comments, odd lines) stay as they are.
 */
export function layoutForms(text: string): Record<string, string> {
  const lines = text.split('\n');
  const body = (f: (c: string[], i: number) => string) => lines.slice(1).map((l, i) => (/^0x[0-9a-f]+,-?\d,(pgtscan|hwhints),\d+$/.test(l) ? f(l.split(','), i) : l)).join('\n');
  return {
    reordered: 'time,src,nid,pfn\n' + body((c) => [c[3], c[2], c[1], c[0]].join(',')),
    rowNames: ',pfn,nid,src,time\n' + body((c, i) => [String(i), ...c].join(',')),
    r: '"","pfn","nid","src","time"\n' + body((c, i) => [`"${i + 1}"`, `"${c[0]}"`, c[1], `"${c[2]}"`, c[3]].join(',')),
    padded: 'pfn, nid, src, time\n' + body((c) => c.join(', ')),
  };
}
