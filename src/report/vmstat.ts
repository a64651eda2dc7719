/** `--format vmstat`: one `name value` line per counter, as /proc/vmstat prints them. */
import type { Counter } from '../engine/types.js';

/** Renders counters as vmstat lines. */
export function renderVmstat(counters: readonly Counter[]): string {
  let out = '';
  for (const c of counters) out += `${c.name} ${c.value}\n`;
  return out;
}
