/**
 * `kpromo sweep --shard K/N` and `kpromo merge`: a sweep's work (its configurations, in grid order) cut into
 * N contiguous parts, and the parts' JSON put back together. Part K runs configurations
 * [floor((K-1) W / N), floor(K W / N)) of the W in the grid, so the N parts cover the grid exactly once
 * whatever N is (parts are empty when N > W). Contiguous parts keep the configurations of one part close in
 * the grid; every part reads the traces once.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { MultiConfig } from './config.js';

/** Most parts a sweep can be cut into. */
export const MAX_SHARDS = 1_000_000;

/** One part: K of N (1-based). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `K/N` (1 <= K <= N), quoting bad text. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const bad = (why: string) => new UsageError(`--shard: ${why}, got ${JSON.stringify(text)}`);
  if (m === null) throw bad('expected K/N, e.g. 3/10 (part 3 of 10)');
  const [index, count] = [Number(m[1]), Number(m[2])];
  if (count < 1 || count > MAX_SHARDS) throw bad(`N must be in [1, ${MAX_SHARDS}]`);
  if (index < 1 || index > count) throw bad(`K must be in [1, N]`);
  return { index, count };
}

/** The grid indices [start, end) part `s` runs out of `work` configurations. */
export function shardRange(work: number, s: Shard): readonly [number, number] {
  const cut = (k: number) => Math.floor((k * work) / s.count);
  return [cut(s.index - 1), cut(s.index)];
}

/**
 * Identity of a sweep: the traces as named and every configuration's label and settings (topology, input
 * options and all). Parts of one sweep carry the same; merge refuses parts of different sweeps.
 */
export function sweepFingerprint(traces: readonly string[], configs: readonly MultiConfig[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ traces, configs: configs.map((c) => [c.label, c.settings]) }));
  return h.digest('hex').slice(0, 32);
}
