/** What crosses the thread boundary of a multi run besides results: counter names, and errors as plain data. */
import { KpromoError, TraceError, type TraceLocation } from '../errors.js';

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
