/**
 * Migrate passes cut in slices, so that Ctrl-C is seen inside a pass over millions of records: the engine walks
 * at most PASS_SLICE records, then returns with the pass part way (it queues the records it is given meanwhile),
 * and the driver turns the event loop (where signal handlers run) before it resumes. Readers wait between chunks
 * on the sink's settle() (engine/types.ts BatchSink), so the queue holds at most one chunk.
 */

/** Thrown out of settle() to abandon a read stopped by a signal while a pass was part way. */
export class PassInterrupted extends Error {}

/** Records a migrate pass walks between two turns of the event loop when a stop can be asked for (a few ms each). */
export const PASS_SLICE = 1 << 15;

/** An engine whose passes can be cut in slices (rfc-v1). */
export interface Sliceable {
  sliceRecords: number;
  readonly suspended: boolean;
  resume(): boolean;
  finish(): void;
  readonly passProgress: { time: number; walked: number; records: number } | null;
}

export function isSliceable(e: object): e is Sliceable {
  return 'sliceRecords' in e && 'resume' in e;
}

/** Turns the event loop between slices of the pass part way until the engine caught up; rejects once a stop was asked for. */
export async function catchUp(
  engine: Sliceable,
  stop: () => boolean,
  onPass?: (p: { time: number; walked: number; records: number }) => void,
): Promise<void> {
  do {
    if (onPass !== undefined && engine.passProgress !== null) onPass(engine.passProgress);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (stop()) throw new PassInterrupted();
  } while (!engine.resume());
}

/** settle() over several engines: null when none is behind, else a promise that resolves once all caught up. */
export function settleAll(engines: readonly Sliceable[], stop: () => boolean): Promise<void> | null {
  if (!engines.some((e) => e.suspended)) return null;
  return (async () => {
    for (const e of engines) if (e.suspended) await catchUp(e, stop);
  })();
}

/** How long a loop over many engines runs between two turns of the event loop when a stop can be asked for. */
export const TURN_MS = 20;

/**
 * For a loop over thousands of engines (built, finished, measured one by one): the returned function turns the event
 * loop (a poll phase, where a signal reaches its handler: two setImmediate, as signals.ts pendingSignalsDelivered())
 * once TURN_MS passed since the last turn, and says whether a stop was asked for. Without `stop`, never turns.
 */
export function turnPacer(stop: (() => boolean) | undefined, everyMs = TURN_MS): () => Promise<boolean> {
  if (stop === undefined) return () => Promise.resolve(false);
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return false;
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
    return stop();
  };
}
