/** Number formatting shared by the terminal and HTML renderers. */

const UNITS = ['', 'k', 'M', 'G', 'T'] as const;

/** A short form for axis labels: 999, 1.2k, 45k, 3.4M (three significant digits at most). */
export function compactNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1000) return sign + (Number.isInteger(v) ? String(v) : trimZeros(v.toPrecision(3)));
  let u = 0;
  while (v >= 999.5 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return sign + trimZeros(digits) + UNITS[u];
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** Seconds for axis labels: integers stay whole, fractions get up to three decimals. */
export function formatSeconds(s: number): string {
  return `${trimZeros(s.toFixed(3))} s`;
}

/** A 0..1 share as a percentage with one decimal, or "n/a" for null. */
export function formatShare(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

/** Bytes with binary units (B, KiB, MiB, GiB), as the kernel's slab statistics are usually read. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${trimZeros(v.toFixed(1))} ${units[u]}`;
}

/** An exact count with thousands separated by commas, for tables. */
export function groupDigits(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

/** Milliseconds with three significant digits at most (0.25 ms, 12.4 ms, 1234 ms), or "n/a" for null. */
export function formatMs(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${trimZeros(ms.toFixed(1))} ms`;
  return `${trimZeros(ms.toPrecision(3))} ms`;
}
