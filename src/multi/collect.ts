/**
 * A full garbage collection of this thread's heap, run twice, between the reads of a multi run: the engines of the
 * read before are dropped, and their typed arrays' memory goes back to this thread's allocator before the next
 * read's engines exist, which then reuse it. The first collection frees the engines, but V8 frees the memory of their
 * typed arrays on a background thread after it returns; the second waits for that sweep first. Left to itself, V8
 * lets a heap's array buffers grow by tens of MB before it collects, the process's RSS grows with them, and the
 * memory sizer (plan.ts) takes that garbage for what engines cost and makes each later read hold fewer engines. The
 * 512-configuration sweep of docs/compare-sweep.md over engine threads (2026-12-03, 3 runs each): no collection
 * 70-112 reads and 366-394 MiB peak, one 11 reads and 286-291 MiB, two 9 reads and 270-271 MiB (budget 280). About
 * 20-50 ms a read.
 *
 * `gc` is V8's extension, given to contexts created while --expose-gc is on (V8's flags are the process's). The flag
 * is left on: turned off again, it raced with lane threads starting at the same moment (24 of 200 threads started at
 * once found no `gc`), and a lane thread that dies as it starts left the run waiting.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gc: (() => void) | null = null;

/** Collects this thread's garbage twice (see the file comment). */
export function collectTwice(): void {
  if (gc === null) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  gc();
  gc();
}
