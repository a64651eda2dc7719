/** What the engine's thread and a parse thread share: the worker script, its messages, its errors. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KpromoError, TraceError } from '../errors.js';
import type { InputStats } from './input.js';

/** The built worker script (tests run from TypeScript sources and use the build in dist/). */
export function parseWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return /\.c?js$/.test(here) ? join(dirname(here), 'parse-worker.js') : join(dirname(here), '..', '..', 'dist', 'src', 'trace', 'parse-worker.js');
}


/** Atomics.waitAsync (Node 16+; not in the ES2022 lib typings). */
export const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

/** The parse thread's last message: its result, or its error. */
export type WorkerMessage =
  | { type: 'done'; stats: InputStats }
  | { type: 'blocks-done' }
  | { type: 'trace-error'; loc: ConstructorParameters<typeof TraceError>[0]; reason: string; code: string }
  | { type: 'kpromo-error'; name: string; code: string; message: string; exitCode: number }
  | { type: 'error'; message: string; stack?: string };

/** The worker's error as the error readInputs() would have thrown. */
export function rebuild(m: WorkerMessage): Error {
  switch (m.type) {
    case 'trace-error':
      return new TraceError(m.loc, m.reason, m.code);
    case 'kpromo-error': {
      const e = new KpromoError(m.code, m.message, m.exitCode);
      return e;
    }
    case 'error': {
      const e = new Error(m.message);
      if (m.stack) e.stack = m.stack;
      return e;
    }
    case 'done':
    case 'blocks-done':
      return new Error('parser thread reported an error without details');
  }
}

