import { describe, it, expect } from 'vitest';
import { guessAdistances } from '../../src/topology/heuristic.js';

/** A SLIT matrix as a distance function over node ids. */
const slit = (ids: number[], rows: number[][]) => (a: number, b: number): number | undefined =>
  rows[ids.indexOf(a)]?.[ids.indexOf(b)];

describe('guessAdistances', () => {
  it('CPU nodes are DRAM; CPU-less nodes farther than every remote socket are slow', () => {
    const nodes = [
      { id: 0, hasCpus: true },
      { id: 1, hasCpus: true },
      { id: 2, hasCpus: false },
      { id: 3, hasCpus: false },
    ];
    // Socket distance 21. Node 2: 14 from node 0 but 24 from node 1 -> one CPU node is within 21 -> 576.
    // Node 3: 25 and 22, both > 21 -> 2880.
    const d = slit([0, 1, 2, 3], [
      [10, 21, 14, 25],
      [21, 10, 24, 22],
      [14, 24, 10, 30],
      [25, 22, 30, 10],
    ]);
    expect([...guessAdistances(nodes, d)]).toEqual([[0, 576], [1, 576], [2, 576], [3, 2880]]);
  });

  it('with one CPU node compares with its local distance', () => {
    const nodes = [{ id: 0, hasCpus: true }, { id: 1, hasCpus: false }, { id: 2, hasCpus: false }];
    const d = slit([0, 1, 2], [[10, 10, 11], [10, 10, 11], [11, 11, 10]]);
    expect([...guessAdistances(nodes, d)]).toEqual([[0, 576], [1, 576], [2, 2880]]);
  });

  it('without distances every CPU-less node is slow', () => {
    const nodes = [{ id: 0, hasCpus: true }, { id: 5, hasCpus: false }];
    expect([...guessAdistances(nodes, () => undefined)]).toEqual([[0, 576], [5, 2880]]);
  });
});
