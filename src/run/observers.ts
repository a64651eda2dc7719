/** Lets several PassObservers watch one engine. */
import type { OutcomeCode, PassObserver } from '../engine/types.js';

/** One observer that forwards to each of `list` in order; null when the list is empty. */
export function combineObservers(list: readonly PassObserver[]): PassObserver | null {
  if (list.length === 0) return null;
  if (list.length === 1) return list[0]!;
  return {
    anyOrder: list.every((o) => o.anyOrder === true),
    intervals: list.some((o) => o.intervals !== false),
    examined(time: number, node: number, pfn: number, from: number, to: number, outcome: OutcomeCode, since?: number) {
      for (const o of list) o.examined(time, node, pfn, from, to, outcome, since);
    },
    passEnd(time: number) {
      for (const o of list) o.passEnd?.(time);
    },
  };
}
