/** Cell formatting shared by the compare and sweep renderers: metrics for terminals, CSV fields. */
import { formatBytes, formatMs, formatShare } from '../render/format.js';
import type { MetricSpec } from './metrics.js';

/** A metric value for a terminal table; "n/a" when the engine cannot tell. */
export function formatMetric(spec: MetricSpec, v: number | null): string {
  if (v === null) return 'n/a';
  switch (spec.unit) {
    case 'count':
      return String(v);
    case 'share':
      return formatShare(v);
    case 'ms':
      return formatMs(v);
    case 'bytes':
      return formatBytes(v);
  }
}

/** A raw value for CSV: numbers as JavaScript prints them, null as an empty field. */
export function csvValue(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  return csvField(String(v));
}

/** Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line. */
export function csvLine(fields: readonly (number | string | null | undefined)[]): string {
  return fields.map(csvValue).join(',') + '\n';
}
