/**
 * Runs the built binary on a real pseudo-terminal of a given size (python3's pty module: the child's stdout is a
 * terminal whose TIOCGWINSZ says `columns`), and returns what it printed, with the terminal's CRLF turned into LF.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
/** bin/kpromo.js of this checkout. */
export const BIN = path.join(ROOT, 'bin/kpromo.js');

// The child sets the window size on its own terminal before exec, so the size is there when node starts.
const PTY_RUN = `
import fcntl, os, pty, struct, sys, termios
cols, rows, err = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
argv = sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    if err:
        os.dup2(os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 2)
    os.execvp(argv[0], argv)
out = b''
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, 'waitstatus_to_exitcode') else status >> 8)
`;

/**
 * Output and exit code of `kpromo ARGS` with stdout on a pty `columns` wide. stderr goes to the same terminal, or
 * with `stderrFile` to that file (so progress lines do not mix with the data).
 */
export function runOnPty(
  columns: number,
  args: readonly string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; stderrFile?: string } = {},
): { text: string; status: number | null } {
  const r = spawnSync('python3', ['-c', PTY_RUN, String(columns), '50', opts.stderrFile ?? '', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, COLUMNS: undefined, ...opts.env },
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { text: r.stdout.replace(/\r\n/g, '\n'), status: r.status };
}

/** True when python3 and its pty module can run here. */
export function ptyAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import pty, fcntl, termios'], { encoding: 'utf8' });
  return r.status === 0;
}
