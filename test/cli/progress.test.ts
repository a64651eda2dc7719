import { describe, expect, it } from 'vitest';
import { CaptureOut } from '../../src/cli/io.js';
import { formatEta, makeProgress, passLine, progressLine } from '../../src/cli/progress.js';

describe('progress', () => {
  it('shows bytes, records/s and an ETA when the size is known', () => {
    const line = progressLine({ bytes: 100 * 1048576, totalBytes: 400 * 1048576, records: 3_000_000 }, 1);
    expect(line).toBe('kpromo: 100 MiB of 400 MiB (25.0%), 3,000,000 records, 3.00 M records/s, ETA 0:03');
    expect(progressLine({ bytes: 1048576, totalBytes: null, records: 10 }, 2)).not.toContain('ETA');
    expect(formatEta(3725)).toBe('1:02:05');
  });

  it('writes nothing when stderr is not a terminal, and clears its line when done on one', () => {
    const pipe = new CaptureOut(false);
    const p = makeProgress(pipe, true, () => 0);
    p.update({ bytes: 1, totalBytes: 2, records: 1 });
    p.done();
    expect(pipe.text).toBe('');
    let now = 0;
    const tty = new CaptureOut(true);
    const q = makeProgress(tty, true, () => now);
    now = 1000;
    q.update({ bytes: 1048576, totalBytes: null, records: 5 });
    q.done();
    expect(tty.text).toContain('\r\x1b[Kkpromo: 1 MiB');
    expect(tty.text.endsWith('\r\x1b[K')).toBe(true);
  });

  it('shows a migrate pass part way, throttled with the reading line, only on a terminal', () => {
    expect(passLine({ time: 4294892546, walked: 98304, records: 2400123 })).toBe(
      'kpromo: migrate pass at jiffies 4294892546: 98,304 of 2,400,123 records walked',
    );
    let now = 0;
    const tty = new CaptureOut(true);
    const q = makeProgress(tty, true, () => now);
    now = 300;
    q.pass({ time: 10, walked: 1, records: 5 });
    now = 400; // within 250 ms of the last line: not shown
    q.pass({ time: 10, walked: 2, records: 5 });
    expect(tty.text).toBe('\r\x1b[Kkpromo: migrate pass at jiffies 10: 1 of 5 records walked');
    const pipe = new CaptureOut(false);
    makeProgress(pipe, true, () => 1000).pass({ time: 10, walked: 1, records: 5 });
    expect(pipe.text).toBe('');
  });
});
