import { describe, expect, it } from 'vitest';
import { BucketSet } from '../../src/engine/bucket-set.js';

function all(s: BucketSet): number[] {
  const out: number[] = [];
  for (let b = s.next(0); b >= 0; b = s.next(b + 1)) out.push(b);
  return out;
}

describe('BucketSet', () => {
  it('iterates occupied buckets in ascending order across all levels', () => {
    const s = new BucketSet(1 << 16);
    const picks = [65535, 0, 31, 32, 1023, 1024, 40000, 33, 5];
    for (const b of picks) s.add(b);
    expect(all(s)).toEqual([...picks].sort((a, b) => a - b));
    s.delete(1024);
    s.delete(0);
    expect(all(s)).toEqual([5, 31, 32, 33, 1023, 40000, 65535]);
    for (const b of [5, 31, 32, 33, 1023, 40000, 65535]) s.delete(b);
    expect(s.next(0)).toBe(-1);
  });

  it('agrees with a plain set under random adds and deletes', () => {
    const size = 1 << 20;
    const s = new BucketSet(size);
    const ref = new Set<number>();
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const b = x % size;
      if (ref.has(b) && (x & 1) === 1) {
        ref.delete(b);
        s.delete(b);
      } else {
        ref.add(b);
        s.add(b);
      }
    }
    expect(all(s)).toEqual([...ref].sort((a, b) => a - b));
    const from = 123456;
    expect(s.next(from)).toBe(Math.min(...[...ref].filter((b) => b >= from)));
  });

  it('works for tiny sets', () => {
    const s = new BucketSet(2);
    expect(s.next(0)).toBe(-1);
    s.add(1);
    expect(all(s)).toEqual([1]);
  });
});
