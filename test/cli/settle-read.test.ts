/**
 * settleRead() (src/cli/signals.ts), the steps replay, convert and page take when their read ends: a signal already
 * sent (here a timer armed as the read ends, which the event loop runs before the helper's own wait is over) is seen
 * before the command acts on how the read ended. test/cli/signals.test.ts sends real signals through a pty.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { READ_STOPPED, settleRead } from '../../src/cli/signals.js';

const THIS_FILE = fileURLToPath(import.meta.url);

/** A read that ends (with `value`, or failing with `error`) and arms `signal` as it does, as a signal sent meanwhile. */
function readEnding<T>(signal: () => void, value: T, error?: Error): Promise<T> {
  return new Promise((resolve, reject) =>
    setImmediate(() => {
      setTimeout(signal, 1);
      if (error !== undefined) reject(error);
      else resolve(value);
    }),
  );
}

describe('settleRead', () => {
  it('a read that failed while a stop came gives READ_STOPPED: the signal is seen first', async () => {
    let stop = false;
    const read = readEnding(() => (stop = true), 0, new Error('expected 4 fields, found 2'));
    expect(await settleRead(read, () => stop, [])).toBe(READ_STOPPED);
  });

  it('a read that failed with no stop throws its error', async () => {
    const err = new Error('expected 4 fields, found 2');
    await expect(settleRead(readEnding(() => {}, 0, err), () => false, ['-'])).rejects.toBe(err);
  });

  it('after an end, waits for a signal when an input can end with its writer (standard input), not otherwise', async () => {
    for (const [names, waits] of [[['-'], true], [[THIS_FILE, '-'], true], [[THIS_FILE], false], [[], false]] as const) {
      let signalled = false;
      const got = await settleRead(readEnding(() => (signalled = true), 7), () => signalled, names);
      expect(got).toBe(7);
      expect(signalled, JSON.stringify(names)).toBe(waits);
    }
  });
});
