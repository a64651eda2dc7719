import { describe, expect, it } from 'vitest';
import { median, ratioLine, ratioOf, sumRounds } from '../../bench/ratios.js';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle ones of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('sumRounds', () => {
  it('adds weighted cases round by round, over the rounds all of them ran', () => {
    expect(sumRounds([[[1, 2, 3], 1], [[10, 20, 30], 1], [[100, 200, 300], 1]])).toEqual([111, 222, 333]);
    expect(sumRounds([[[0.5, 0.4], 9]])).toEqual([4.5, 9 * 0.4]);
    expect(sumRounds([[[1, 2, 3], 1], [[10, 20], 2]])).toEqual([21, 42]);
  });
});

describe('ratioOf', () => {
  it('gives the ratio of the medians and the median of the rounds’ ratios, which differ under drift', () => {
    // Round ratios 2/1, 3/2, 10/4: 2, 1.5, 2.5, median 2. Medians 3 and 2: 1.5.
    const r = ratioOf([2, 3, 10], [1, 2, 4]);
    expect(r.ofMedians).toBe(1.5);
    expect(r.paired).toBe(2);
  });

  it('pairs rounds by index: another order of one case\'s rounds changes the paired ratio, not the medians\' one', () => {
    // Each round's ratio 1.2: paired 1.2, medians 2.4 / 2.
    expect(ratioOf([1.2, 2.4, 6], [1, 2, 5]).paired).toBeCloseTo(1.2, 12);
    // The same numerator's rounds in another order: 6 / 1, 1.2 / 2, 2.4 / 5 = 6, 0.6, 0.48, median 0.6.
    const shuffled = ratioOf([6, 1.2, 2.4], [1, 2, 5]);
    expect(shuffled.paired).toBeCloseTo(0.6, 12);
    expect(shuffled.ofMedians).toBeCloseTo(1.2, 12);
  });

  it('refuses cases that never ran', () => {
    expect(() => ratioOf([], [1])).toThrow(/never ran/);
  });
});

describe('ratioLine', () => {
  it('prints both ratios, the verdict by the ratio of the medians', () => {
    expect(ratioLine('a / b', [2, 3, 10], [1, 2, 4], 1.5)).toBe('\na / b: 1.50x, paired 2.00x (target <= 1.5x): PASS');
    expect(ratioLine('a / b', [2, 3, 10], [1, 2, 4], 1.4)).toBe('\na / b: 1.50x, paired 2.00x (target <= 1.4x): MISS');
  });

  it('prints nothing when a case did not run', () => {
    expect(ratioLine('a / b', null, [1], 1)).toBe('');
    expect(ratioLine('a / b', [1], null, 1)).toBe('');
  });
});
