'use strict';
/**
 * Bundled in place of `emoji-regex` (tools/bundle.mjs), whose only user in kpromo is string-width (through
 * cli-table3): string-width calls `string.replace(emojiRegex(), '  ')` for every cell it measures. The real
 * regex is a 10 kB pattern that V8 takes ~13 ms to compile on its first use, a tenth of a small replay's
 * start-up, and it cannot match a string made only of ASCII, box-drawing characters (U+2500-U+257F, the
 * table's borders) and U+2026 (the truncation mark): no emoji sequence starts with one of them or is made of
 * them. So this returns a replacer that hands such a string back unchanged and compiles the real regex only
 * for a string with other characters (test/tools/emoji-regex-lazy.test.ts checks the claim character by
 * character against the real regex).
 */
const real = require('emoji-regex');

let compiled = null;

/** Strings the real regex cannot match (see above). */
// eslint-disable-next-line no-control-regex
const PLAIN = /^[\u0000-\u007f\u2026\u2500-\u257f]*$/;

function emojiRegex() {
  return {
    [Symbol.replace](string, replacement) {
      if (PLAIN.test(string)) return string;
      if (compiled === null) compiled = real();
      compiled.lastIndex = 0;
      return string.replace(compiled, replacement);
    },
  };
}

module.exports = emojiRegex;
module.exports.PLAIN = PLAIN;
