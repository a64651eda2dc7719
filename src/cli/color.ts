/** Colour is decided once per run (flag, NO_COLOR, FORCE_COLOR, TTY) and passed down as a Chalk instance. */
import { Chalk, type ChalkInstance } from 'chalk';
import { colorOn } from './color-choice.js';

/** Decides the colour level: `--color`/`--no-color` win, then NO_COLOR, then FORCE_COLOR, then whether out is a TTY. */
export function makeColor(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): ChalkInstance {
  return new Chalk({ level: colorOn(flag, env, isTTY) ? 1 : 0 });
}
