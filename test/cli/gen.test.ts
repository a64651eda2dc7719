/** `kpromo gen`: the progress line (the generator itself is tested in test/gen/). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureOut, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

async function gen(argv: string[], stdoutTTY: boolean, stderrTTY: boolean): Promise<{ out: string; err: string }> {
  const stdout = new CaptureOut(stdoutTTY);
  const stderr = new CaptureOut(stderrTTY);
  const io: Io = { stdout, stderr, stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
  expect(await main(['gen', ...argv], io)).toBe(0);
  return { out: stdout.text, err: stderr.text };
}

describe('kpromo gen progress', () => {
  const LINE = /\r\x1b\[Kkpromo: \d+ MiB, [\d,]+ records/;

  it('shows a progress line on a terminal stderr while it writes a file; none with --no-progress or off a terminal', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kpromo-gen-')), 'g.csv');
    // Throttled to one line every 250 ms: 3 M records take longer than that to generate.
    expect((await gen(['--records', '3000000', '-o', f], false, true)).err).toMatch(LINE);
    expect((await gen(['--records', '3000000', '--no-progress', '-o', f], false, true)).err).not.toMatch(LINE);
    expect((await gen(['--records', '3000000', '-o', f], false, false)).err).not.toMatch(LINE);
  });

  it('shows none when the trace itself goes to the terminal (it would land in the middle of it)', async () => {
    const r = await gen(['--records', '3000000'], true, true);
    expect(r.err).not.toMatch(LINE);
    expect(r.out.split('\n').length).toBe(3000002); // header, records, and the empty piece after the last newline
  });
});

describe('gen to a slow reader of stdout', () => {
  it('waits for stdout to drain: memory stays bounded (it queued the whole trace in memory, 80 MB a second, for a reader that did not keep up)', async () => {
    let bytes = 0;
    let release: () => void = () => {};
    let waits = 0;
    const stdout = {
      isTTY: false,
      write(text: string) {
        bytes += text.length;
      },
      // A pipe whose reader is not reading: nothing drains until release().
      drained(): Promise<void> {
        waits++;
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const io: Io = { stdout, stderr: new CaptureOut(), stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
    const run = main(['gen', '--records', '200000'], io);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(waits).toBe(1);
    expect(bytes).toBeLessThanOrEqual(64 << 10); // one slice, then it waits
    // The reader catches up whenever asked: the whole trace arrives.
    stdout.drained = () => Promise.resolve();
    release();
    expect(await run).toBe(0);
    expect(bytes).toBeGreaterThan(200000 * 20);
  });
});
