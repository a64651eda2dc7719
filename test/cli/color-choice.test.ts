/** src/cli/color-choice.ts: the colour decision without chalk, and the no-colour stand-in against chalk at level 0. */
import { Chalk } from 'chalk';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CaptureOut, type Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { colorOn, hasColorFlag, PLAIN_COLOR } from '../../src/cli/color-choice.js';
import { makeColor } from '../../src/cli/color.js';

describe('color-choice', () => {
  it('PLAIN_COLOR gives what chalk at level 0 gives, for every style kpromo uses and chains of them', () => {
    const real = new Chalk({ level: 0 });
    const styles = ['dim', 'bold', 'red', 'green', 'yellow', 'cyan', 'gray', 'underline'] as const;
    for (const s of styles) {
      expect(PLAIN_COLOR[s]('a b'), s).toBe(real[s]('a b'));
      expect(PLAIN_COLOR[s]('x', 'y'), s).toBe(real[s]('x', 'y'));
      expect(PLAIN_COLOR[s](String(42)), s).toBe(real[s](String(42)));
      expect(PLAIN_COLOR[s](''), s).toBe(real[s](''));
    }
    expect(PLAIN_COLOR.bold.red('x')).toBe(real.bold.red('x'));
    expect(PLAIN_COLOR.level).toBe(0);
  });

  it('colorOn is the decision makeColor takes, over every flag, NO_COLOR, FORCE_COLOR and TTY', () => {
    for (const flag of [undefined, true, false]) {
      for (const NO_COLOR of [undefined, '', '1']) {
        for (const FORCE_COLOR of [undefined, '0', 'false', '1', '']) {
          for (const tty of [true, false]) {
            const env = { NO_COLOR, FORCE_COLOR };
            expect(makeColor(flag, env, tty).level, JSON.stringify({ flag, env, tty })).toBe(colorOn(flag, env, tty) ? 1 : 0);
          }
        }
      }
    }
    expect(colorOn(undefined, {}, false)).toBe(false);
    expect(colorOn(undefined, {}, true)).toBe(true);
    expect(colorOn(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    // A dumb terminal (Emacs' shell, TERM=dumb) shows escape codes as text: off, as chalk's own detection has it,
    // unless forced (it was on).
    expect(colorOn(undefined, { TERM: 'dumb' }, true)).toBe(false);
    expect(colorOn(undefined, { TERM: 'dumb', FORCE_COLOR: '1' }, true)).toBe(true);
    expect(colorOn(true, { TERM: 'dumb' }, true)).toBe(true);
  });

  it('hasColorFlag sees --color and --no-color in any place, and nothing else', () => {
    expect(hasColorFlag(['replay', '--color', 't.csv'])).toBe(true);
    expect(hasColorFlag(['replay', 't.csv', '--no-color'])).toBe(true);
    expect(hasColorFlag(['--color=always'])).toBe(true);
    expect(hasColorFlag(['replay', 't.csv', '--colors'])).toBe(false);
    expect(hasColorFlag(['replay', 'color.csv'])).toBe(false);
  });
});

describe('text written to stderr is coloured by stderr\'s own terminal', () => {
  const TRACE = path.resolve(__dirname, '../../traces/spec-worked.csv');
  async function run(stdoutTTY: boolean, stderrTTY: boolean): Promise<{ out: string; err: string }> {
    const stdout = new CaptureOut(stdoutTTY);
    const stderr = new CaptureOut(stderrTTY);
    const io: Io = { stdout, stderr, stdin: Readable.from([]), env: {}, onInterrupt: () => () => {} };
    const code = await main(['replay', '--events', '-', TRACE], io);
    expect(code).toBe(0);
    return { out: stdout.text, err: stderr.text };
  }

  it('replay --events -: the summary on stderr, plain when stderr is a file though stdout is a terminal', async () => {
    const SGR = /\u001b\[[0-9;]*m/;
    const fileErr = await run(true, false);
    expect(fileErr.err).toContain('kpromoted_recorded_accesses');
    expect(fileErr.err).not.toMatch(SGR);
    expect(fileErr.out).not.toMatch(SGR);
    // Both terminals: the summary is coloured (so the test above can fail); the events CSV never is.
    const both = await run(true, true);
    expect(both.err).toMatch(SGR);
    expect(both.out).not.toMatch(SGR);
  });
});

