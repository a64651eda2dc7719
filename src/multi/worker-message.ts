/** What crosses the thread boundary of a parallel sweep: the job, the result, and errors as plain data. */
import { KpromoError, TraceError, type TraceLocation } from '../errors.js';
import type { InputStats } from '../trace/input.js';
import type { ReadProgress, TraceInput } from '../trace/read.js';
import type { MultiConfig } from './config.js';
import type { ConfigResult } from './run-multi.js';

/** A slice of the grid for one worker: it reads the traces itself. */
export interface SweepJob {
  readonly configs: readonly MultiConfig[];
  readonly inputs: readonly TraceInput[];
  readonly parser: 'auto' | 'fast' | 'csv-parse';
  /** Int32[1]: set to 1 by the parent to stop the read (Ctrl-C); the counters stay on the board. */
  readonly stop: SharedArrayBuffer;
  /** The run's counter board (board.ts), its size, and this slice's first slot on it. */
  readonly board: SharedArrayBuffer;
  readonly boardSize: number;
  readonly offset: number;
}

/** A worker's counter names of one configuration (board index), sent once its engine exists. */
export interface WorkerNames {
  readonly ok: 'names';
  readonly index: number;
  readonly names: string[];
}

/** An error as plain data; TraceError keeps its location so the message is rebuilt identically. */
export interface SerializedError {
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly exitCode?: number;
  readonly trace?: { readonly loc: TraceLocation; readonly reason: string };
}

/** A worker's answer: results, stopped (its partial counters are on the board), or an error. */
export type SweepReply =
  | { readonly ok: true; readonly results: ConfigResult[]; readonly read: InputStats }
  | { readonly ok: 'stopped' }
  | { readonly ok: false; readonly error: SerializedError };

/** What a worker that reads the traces itself posts: names, progress, then one SweepReply. */
export type SweepMessage = SweepReply | WorkerNames | { readonly ok: 'progress'; readonly progress: ReadProgress };

/** Turns an error into plain data. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof TraceError) {
    const loc: TraceLocation = { file: e.file, line: e.line, column: e.column, text: e.text, ...(e.field !== undefined ? { field: e.field } : {}) };
    return { message: e.message, code: e.code, exitCode: e.exitCode, trace: { loc, reason: e.reason } };
  }
  if (e instanceof KpromoError) return { message: e.message, code: e.code, exitCode: e.exitCode };
  const err = e instanceof Error ? e : new Error(String(e));
  return { message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) };
}

/** Rebuilds an error on this side: a TraceError or KpromoError with the same message, code and exit code. */
export function reviveError(s: SerializedError): Error {
  if (s.trace) return new TraceError(s.trace.loc, s.trace.reason, s.code);
  if (s.code !== undefined) return new KpromoError(s.code, s.message, s.exitCode);
  const err = new Error(s.message);
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}
