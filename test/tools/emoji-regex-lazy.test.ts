/** tools/emoji-regex-lazy.cjs: the bundle's stand-in for emoji-regex gives string-width the same results. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const real = require('emoji-regex') as () => RegExp;
const lazy = require('../../tools/emoji-regex-lazy.cjs') as (() => { [Symbol.replace](s: string, r: string): string }) & { PLAIN: RegExp };

describe('emoji-regex-lazy', () => {
  it('the real regex matches nothing made of the characters the stand-in skips', () => {
    const plain: string[] = [];
    for (let c = 0; c < 0x80; c++) plain.push(String.fromCharCode(c));
    plain.push('\u2026');
    for (let c = 0x2500; c <= 0x257f; c++) plain.push(String.fromCharCode(c));
    for (const ch of plain) expect(lazy.PLAIN.test(ch), ch).toBe(true);
    // Every character alone and every pair: a match would need to start and end inside such a string.
    const all = plain.join('');
    expect(all.match(real())).toBeNull();
    for (const a of plain) expect((a + all).match(real()), JSON.stringify(a)).toBeNull();
    for (const a of plain) for (const b of plain) if (real().test(a + b)) throw new Error(`pair ${JSON.stringify(a + b)} matches`);
  });

  it('replaces exactly as the real regex on plain, emoji and mixed strings', () => {
    const cases = ['', 'kpromoted_mig_promoted', '┌──┬──┐', 'a…', '👍', 'x👨‍👩‍👧y', '#️⃣', '1\u20e3', '©®', 'é', '▶️ play', '│ 12 │ ✅'];
    for (const s of cases) expect(s.replace(lazy(), '  '), JSON.stringify(s)).toBe(s.replace(real(), '  '));
  });
});
