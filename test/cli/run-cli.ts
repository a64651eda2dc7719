/** Runs main() in-process with captured output. */
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { CaptureOut, type Io } from '../../src/cli/io.js';

/** Result of an in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kpromo ...argv` with optional stdin text; `interrupt` receives the Ctrl-C trigger. */
export async function runCli(
  argv: string[],
  opts: { stdin?: string | Readable; env?: Record<string, string>; interrupt?: (fire: () => void) => void } = {},
): Promise<CliRun> {
  const stdout = new CaptureOut();
  const stderr = new CaptureOut();
  const stdin = typeof opts.stdin === 'string' ? Readable.from([Buffer.from(opts.stdin)]) : (opts.stdin ?? Readable.from([]));
  const io: Io = {
    stdout,
    stderr,
    stdin,
    env: opts.env ?? {},
    onInterrupt(handler) {
      opts.interrupt?.(handler);
      return () => {};
    },
  };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}
