/** A one-line progress display on stderr (only on a terminal): bytes, records/s, ETA when the size is known. */
import type { TextOut } from './io.js';

/** Progress callback plus a function that clears the line when the work ends. */
export interface Progress {
  update(p: { bytes: number; totalBytes: number | null; records: number }): void;
  /** A migrate pass part way: records walked of those in the table when it began (its time in jiffies). */
  pass(p: PassProgress): void;
  done(): void;
}

/** Where a migrate pass cut in slices stands (RfcV1Engine.passProgress). */
export interface PassProgress {
  readonly time: number;
  readonly walked: number;
  readonly records: number;
}

/** Renders the line of a migrate pass part way. */
export function passLine(p: PassProgress): string {
  return `kpromo: migrate pass at jiffies ${p.time}: ${p.walked.toLocaleString('en-US')} of ${p.records.toLocaleString('en-US')} records walked`;
}

const MiB = 1024 * 1024;

/** Formats seconds as m:ss or h:mm:ss. */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Renders one progress line. */
export function progressLine(p: { bytes: number; totalBytes: number | null; records: number }, elapsedSec: number): string {
  const rate = elapsedSec > 0 ? p.records / elapsedSec : 0;
  let line = `kpromo: ${(p.bytes / MiB).toFixed(0)} MiB`;
  if (p.totalBytes !== null && p.totalBytes > 0) {
    line += ` of ${(p.totalBytes / MiB).toFixed(0)} MiB (${((100 * p.bytes) / p.totalBytes).toFixed(1)}%)`;
  }
  line += `, ${p.records.toLocaleString('en-US')} records, ${(rate / 1e6).toFixed(2)} M records/s`;
  if (p.totalBytes !== null && p.bytes > 0 && elapsedSec > 0) {
    const byteRate = p.bytes / elapsedSec;
    line += `, ETA ${formatEta((p.totalBytes - p.bytes) / byteRate)}`;
  }
  return line;
}

/** A throttled (every 250 ms) progress line on `err`, or a no-op when `err` is not a terminal or `enabled` is false. */
export function makeProgress(err: TextOut, enabled: boolean, now: () => number = Date.now): Progress {
  if (!enabled || !err.isTTY) return { update() {}, pass() {}, done() {} };
  const start = now();
  let last = start;
  let shown = false;
  return {
    update(p) {
      const t = now();
      if (t - last < 250) return;
      last = t;
      shown = true;
      err.write(`\r\x1b[K${progressLine(p, (t - start) / 1000)}`);
    },
    pass(p) {
      const t = now();
      if (t - last < 250) return;
      last = t;
      shown = true;
      err.write(`\r\x1b[K${passLine(p)}`);
    },
    done() {
      if (shown) err.write('\r\x1b[K');
      shown = false; // once: a command may end its progress before its finally does
    },
  };
}
