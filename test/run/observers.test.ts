import { describe, expect, it } from 'vitest';
import type { PassObserver } from '../../src/engine/types.js';
import { combineObservers } from '../../src/run/observers.js';

const observer = (o: Partial<PassObserver>): PassObserver => ({ examined: () => {}, ...o });

describe('combineObservers', () => {
  it('reads the accesses per pass (intervals) when any of its observers does, and takes any order only when all do', () => {
    const lean = observer({ anyOrder: true, intervals: false });
    const rows = observer({ anyOrder: true });
    const events = observer({});
    expect(combineObservers([])).toBeNull();
    expect(combineObservers([lean])).toBe(lean);
    expect(combineObservers([lean, lean])!.intervals).toBe(false);
    expect(combineObservers([lean, rows])!.intervals).toBe(true);
    expect(combineObservers([lean, lean])!.anyOrder).toBe(true);
    expect(combineObservers([lean, events])!.anyOrder).toBe(false);
  });
});
