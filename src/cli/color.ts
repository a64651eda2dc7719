/** Colour is decided once per run (flag, NO_COLOR, FORCE_COLOR, TTY) and passed down as a Chalk instance. */
import { Chalk, type ChalkInstance } from 'chalk';

/** Decides the colour level: `--color`/`--no-color` win, then NO_COLOR, then FORCE_COLOR, then whether out is a TTY. */
export function makeColor(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): ChalkInstance {
  let on: boolean;
  if (flag !== undefined) on = flag;
  else if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') on = false;
  else if (env.FORCE_COLOR !== undefined) on = env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  else on = isTTY;
  return new Chalk({ level: on ? 1 : 0 });
}
