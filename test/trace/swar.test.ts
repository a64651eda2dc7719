/** src/trace/swar.ts against byte-at-a-time references: every byte value in every position, and random words. */
import { describe, expect, it } from 'vitest';
import { digits4, HEX_PAIRS, hexLead4, hexMask4, hexTrail4, hexValue4, isDigits4, PAIR_BAD } from '../../src/trace/swar.js';
import { prng } from '../prng.js';

const isHex = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
const bytesOf = (w: number): number[] => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
const word = (b: number[]): number => (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) | 0;

/** What differs from the reference for word `w` ('' when nothing). */
function diff(w: number): string {
  const b = bytesOf(w);
  const mask = b.reduce((m, x, i) => m | (isHex(x) ? 0x80 << (8 * i) : 0), 0) | 0;
  let lead = 0;
  while (lead < 4 && isHex(b[lead]!)) lead++;
  let trail = 0;
  while (trail < 4 && isHex(b[3 - trail]!)) trail++;
  const out: string[] = [];
  if ((hexMask4(w) | 0) !== mask) out.push('mask');
  if (hexLead4(w) !== lead) out.push('lead');
  if (hexTrail4(w) !== trail) out.push('trail');
  if (lead === 4 && hexValue4(w) !== parseInt(String.fromCharCode(...b), 16)) out.push('value');
  // hexValue4 is exact on a word whose other bytes were cleared (zero bytes read as 0 digits).
  const cleared = word(b.map((x) => (isHex(x) ? x : 0)));
  if (hexValue4(cleared) !== parseInt(b.map((x) => (isHex(x) ? String.fromCharCode(x) : '0')).join(''), 16)) out.push('cleared value');
  const dec = b.every((x) => x >= 0x30 && x <= 0x39);
  if (isDigits4(w) !== dec) out.push('isDigits4');
  if (dec && digits4(w) !== Number(String.fromCharCode(...b))) out.push('digits4');
  return out.length === 0 ? '' : `${(w >>> 0).toString(16)}: ${out.join(',')}`;
}

function check(w: number, bad: string[]): void {
  const d = diff(w);
  if (d !== '') bad.push(d);
}

describe('swar', () => {
  it('every byte value in every position, among hex digits and among others', () => {
    const bad: string[] = [];
    for (const fill of [0x30, 0x66, 0x61, 0x39, 0x35, 0x20, 0x00, 0xff, 0x60, 0x47, 0x3a, 0x2f]) {
      for (let pos = 0; pos < 4; pos++) {
        for (let v = 0; v < 256; v++) {
          const b = [fill, fill, fill, fill];
          b[pos] = v;
          check(word(b), bad);
        }
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('random words, and random words of hex digits', () => {
    const rnd = prng(4242);
    const digits = '0123456789abcdef';
    const bad: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      check((rnd() * 2 ** 32) | 0, bad);
      const b = [0, 1, 2, 3].map(() => (rnd() < 0.9 ? digits.charCodeAt(Math.floor(rnd() * 16)) : Math.floor(rnd() * 256)));
      check(word(b), bad);
      check(word([0, 1, 2, 3].map(() => (rnd() < 0.95 ? 0x30 + Math.floor(rnd() * 10) : Math.floor(rnd() * 256)))), bad);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('HEX_PAIRS: every pair of byte values, against the bytes read one at a time', () => {
    const bad: string[] = [];
    for (let b0 = 0; b0 < 256; b0++) {
      for (let b1 = 0; b1 < 256; b1++) {
        const ok = (b: number): boolean => b === 0x20 || isHex(b);
        const digit = (b: number): number => (b === 0x20 ? 0 : parseInt(String.fromCharCode(b), 16));
        const want = ok(b0) && ok(b1) ? digit(b0) * 16 + digit(b1) + (isHex(b0) ? 0x100 : 0) + (isHex(b1) ? 0x200 : 0) : PAIR_BAD;
        if (HEX_PAIRS[b0 | (b1 << 8)] !== want) bad.push(`${b0.toString(16)} ${b1.toString(16)}: ${HEX_PAIRS[b0 | (b1 << 8)]} not ${want}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
