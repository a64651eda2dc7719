/**
 * Whether output is coloured, decided without loading chalk, and the stand-in used when it is not: a run whose
 * colour is off (output not a terminal, NO_COLOR) does not load chalk and the tty/os modules it needs (start-up).
 */
import type { ChalkInstance } from 'chalk';

/** `--color`/`--no-color` win, then NO_COLOR, then FORCE_COLOR, then whether the output is a TTY (not TERM=dumb). */
export function colorOn(flag: boolean | undefined, env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/** True when the arguments may hold a colour flag (then chalk is loaded and the flag decides). */
export function hasColorFlag(argv: readonly string[]): boolean {
  return argv.some((a) => /^--(?:no-)?colou?r(?:=|$)/.test(a));
}

/**
 * What chalk at level 0 does, without chalk: every style (and chain of styles) returns its arguments as a
 * string, joined by spaces. test/cli/color-choice.test.ts checks it against `new Chalk({ level: 0 })`.
 */
export const PLAIN_COLOR: ChalkInstance = (() => {
  const style = (...args: unknown[]): string => args.join(' ');
  const proxy: unknown = new Proxy(style, {
    get: (_target, key) => (key === 'level' ? 0 : proxy),
    apply: (_target, _this, args: unknown[]) => args.join(' '),
  });
  return proxy as ChalkInstance;
})();
