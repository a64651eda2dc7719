import { describe, expect, it } from 'vitest';
import { initial_jiffies, jiffies_to_msecs, msecs_to_jiffies } from '../../src/engine/jiffies.js';

describe('msecs_to_jiffies', () => {
  it('rounds up like the kernel (kernel-facts.md section 4 table)', () => {
    expect(msecs_to_jiffies(5000, 250)).toBe(1250);
    expect(msecs_to_jiffies(1000, 250)).toBe(250);
    expect(msecs_to_jiffies(5, 250)).toBe(2);
    expect(msecs_to_jiffies(10, 250)).toBe(3);
    expect(msecs_to_jiffies(20, 300)).toBe(6);
    expect(msecs_to_jiffies(4, 300)).toBe(2);
    expect(msecs_to_jiffies(60000, 100)).toBe(6000);
    expect(msecs_to_jiffies(0, 1000)).toBe(0);
    expect(msecs_to_jiffies(1, 100)).toBe(1);
  });
});

describe('jiffies_to_msecs and INITIAL_JIFFIES', () => {
  it('match kernel-facts.md section 4', () => {
    expect(jiffies_to_msecs(1, 300)).toBe(4);
    expect(jiffies_to_msecs(1000, 300)).toBe(3334);
    expect(jiffies_to_msecs(1500, 300)).toBe(5000);
    expect(jiffies_to_msecs(250, 250)).toBe(1000);
    expect(jiffies_to_msecs(2 ** 32, 1000)).toBe(0); // unsigned int result
    expect(initial_jiffies(250)).toBe(4294892296);
    expect(initial_jiffies(1000)).toBe(4294667296);
  });
});
