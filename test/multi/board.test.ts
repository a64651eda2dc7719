import { describe, expect, it } from 'vitest';
import { CounterBoard, RunTracker, SlotState } from '../../src/multi/board.js';

const counters = (...values: number[]) => values.map((value, i) => ({ name: `c${i}`, value }));

describe('CounterBoard', () => {
  it('keeps each slot apart: not started, running with its records, finished', () => {
    const b = new CounterBoard(3);
    b.publish(0, 100, counters(1, 2, 3));
    b.publish(2, 5, counters(9), SlotState.Finished);
    expect(b.read(0)).toEqual({ state: SlotState.Running, records: 100, values: [1, 2, 3] });
    expect(b.read(1)).toEqual({ state: SlotState.NotStarted, records: 0, values: null });
    expect(b.read(2)).toEqual({ state: SlotState.Finished, records: 5, values: [9] });
    b.publish(0, 200, counters(4, 5, 6));
    expect(b.read(0).values).toEqual([4, 5, 6]);
  });

  it('is shared: a second view on the same buffer (as a worker maps it) reads what the first wrote', () => {
    const a = new CounterBoard(2);
    const b = new CounterBoard(2, a.buffer);
    b.publish(1, 7, counters(2 ** 40, 0));
    expect(a.read(1)).toEqual({ state: SlotState.Running, records: 7, values: [2 ** 40, 0] });
  });
});

describe('RunTracker', () => {
  it('names the counters of each configuration once they are known, null for configurations not started', () => {
    const t = new RunTracker([
      { label: 'a', settings: { engine: 'rfc-v1' } },
      { label: 'b', settings: { engine: 'pghot' } },
    ]);
    t.names[0] = ['x', 'y'];
    t.board.publish(0, 42, counters(3, 4));
    expect(t.partial()).toEqual([
      { label: 'a', engine: 'rfc-v1', counters: [{ name: 'x', value: 3 }, { name: 'y', value: 4 }], records: 42, finished: false },
      { label: 'b', engine: 'pghot', counters: null, records: 0, finished: false },
    ]);
  });
});
