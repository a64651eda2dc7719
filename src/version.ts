/** kpromo's version (package.json's; test/cli/package.test.ts keeps them equal). */
export const VERSION = '0.1.0';
