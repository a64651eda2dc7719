#!/usr/bin/env python3
"""Runs a command on a real pseudo-terminal and stops it with a real signal, N times (test/cli/signals.test.ts).

The child gets a new session whose controlling terminal is the pty, so Ctrl-C typed on the master (b'\\x03')
reaches it from the terminal's line discipline as SIGINT, exactly as from a keyboard. SIGTERM and SIGHUP are
sent with kill(2). Prints one JSON object per try:
  {"try": i, "status": 130, "signaled": false, "ms": 123.4, "out": "...", "ready": true}
status is the exit code, or 128 + n when the child died of signal n (what a shell shows).

usage: pty-signal.py JSON_CONFIG
  config: {"argv": [...], "tries": 20, "signal": "ctrl-c"|"SIGINT"|"SIGTERM"|"SIGHUP",
           "stdin": "tty"|"idle-pipe"|"file:PATH"|"cat:PATH"|"null", "delay": [min_s, max_s], "timeout": 10,
           "cwd": "...", "env": {...}, "wait_for": "regex on the output, optional",
           "wait_idle": true (no CPU used for 150 ms), "wait_glob": "a file pattern in cwd",
           "wait_cpu": seconds of CPU time used, "parallel": 1,
           "xoff": true (type Ctrl-S and wait until the command blocks in a write before the signal),
           "handlers": false (do not wait for kpromo's signal handlers: a command that runs a long synchronous piece
           under the signals' default actions has none then; wait_cpu says when it is in that piece)}
"""
import fcntl
import json
import os
import random
import re
import select
import signal
import sys
import termios
import threading
import time


def sigcgt(pid, signum):
    """True once the process catches signal `signum` (Node installed its handler)."""
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith('SigCgt:'):
                    return (int(line.split()[1], 16) >> (signum - 1)) & 1 == 1
    except OSError:
        pass
    return False


def cpu_ticks(pid):
    """utime + stime of a process and its threads, in clock ticks."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return None


def kept(out):
    """The output a try reports: all of it when short, else its first 3000 and last 4000 characters (a crash's
    header, which names the failed assertion, comes before a long native stack trace)."""
    text = out.decode('utf8', 'replace')
    return text if len(text) <= 8000 else text[:3000] + '\n[...]\n' + text[-4000:]


def one(cfg, i):
    # {try} in the argv and in wait_glob is this try's number, so tries running side by side use their own files.
    cfg = dict(cfg)
    cfg['argv'] = [a.replace('{try}', str(i)) for a in cfg['argv']]
    if cfg.get('wait_glob'):
        cfg['wait_glob'] = cfg['wait_glob'].replace('{try}', str(i))
    master, slave = os.openpty()
    stdin_mode = cfg.get('stdin', 'tty')
    feed = None
    keep = []
    if stdin_mode == 'tty':
        stdin_fd = slave
    elif stdin_mode == 'null':
        stdin_fd = os.open('/dev/null', os.O_RDONLY)
        keep.append(stdin_fd)
    elif stdin_mode == 'idle-pipe':
        r, w = os.pipe()
        stdin_fd = r
        keep += [r, w]  # the write end stays open and silent: the reader waits
    elif stdin_mode.startswith('cat:'):
        # A `cat PATH |` in the command's own process group: Ctrl-C ends it too, and its death closes the pipe
        # (maybe in the middle of a line) while the command may not have seen its own signal yet.
        stdin_fd = None
    elif stdin_mode.startswith('file:'):
        r, w = os.pipe()
        stdin_fd = r
        keep.append(r)
        feed = (w, stdin_mode[5:])
    else:
        raise SystemExit('bad stdin ' + stdin_mode)
    env = dict(os.environ)
    env.update(cfg.get('env', {}))
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            if cfg.get('cwd'):
                os.chdir(cfg['cwd'])
            if stdin_fd is None:
                r, w = os.pipe()
                if os.fork() == 0:
                    os.dup2(w, 1)
                    os.close(r)
                    os.close(w)
                    os.execvp('cat', ['cat', stdin_mode[4:]])
                os.dup2(r, 0)
                os.close(r)
                os.close(w)
            else:
                os.dup2(stdin_fd, 0)
            os.dup2(slave, 1)
            os.dup2(slave, 2)
            for fd in [master, slave] + keep:
                if fd > 2:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            os.execvpe(cfg['argv'][0], cfg['argv'], env)
        finally:
            os._exit(127)
    os.close(slave)
    for fd in keep:
        if stdin_mode == 'idle-pipe' and fd == keep[1]:
            continue
        os.close(fd)
    if feed is not None:
        w, path = feed

        def pump():
            try:
                with open(path, 'rb') as f:
                    while True:
                        b = f.read(1 << 16)
                        if not b:
                            break
                        os.write(w, b)
            except OSError:
                pass
            finally:
                try:
                    os.close(w)
                except OSError:
                    pass

        threading.Thread(target=pump, daemon=True).start()
    out = bytearray()

    def drain(t):
        end = time.monotonic() + t
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            rl, _, _ = select.select([master], [], [], left)
            if rl:
                try:
                    b = os.read(master, 65536)
                except OSError:
                    return
                if not b:
                    return
                out.extend(b)

    sig_name = cfg.get('signal', 'ctrl-c')
    signum = signal.SIGINT if sig_name == 'ctrl-c' else getattr(signal, sig_name)
    timeout = cfg.get('timeout', 10)
    t0 = time.monotonic()
    ready = False
    pat = re.compile(cfg['wait_for']) if cfg.get('wait_for') else None
    glob_ready = cfg.get('wait_glob')
    idle = cfg.get('wait_idle', False)
    last_cpu, still = None, 0
    while time.monotonic() - t0 < timeout:
        # SIGHUP caught: kpromo's own handlers are installed (Node itself catches SIGINT and SIGTERM from start).
        ok = (sigcgt(pid, signal.SIGHUP) or cfg.get('handlers', True) is False) and (pat is None or pat.search(out.decode('utf8', 'replace')))
        if ok and glob_ready:
            import glob
            ok = len(glob.glob(os.path.join(cfg.get('cwd') or '.', glob_ready))) > 0
        if ok and cfg.get('wait_cpu'):
            # Busy: the command has used this much CPU time (seconds).
            ok = (cpu_ticks(pid) or 0) >= cfg['wait_cpu'] * os.sysconf('SC_CLK_TCK')
        if ok and idle:
            # Idle: no CPU time used for 150 ms (the command waits in a read or an open).
            cpu = cpu_ticks(pid)
            still = still + 1 if cpu == last_cpu else 0
            last_cpu = cpu
            ok = still >= 15
        if ok:
            ready = True
            break
        drain(0.01)
    lo, hi = cfg.get('delay', [0.1, 0.4])
    drain(random.uniform(lo, hi))
    sent = time.monotonic()
    early, early_st = os.waitpid(pid, os.WNOHANG)
    if early == pid:
        # Ended before the signal could be sent: not a try of the signal at all; say so.
        code = 128 + os.WTERMSIG(early_st) if os.WIFSIGNALED(early_st) else os.WEXITSTATUS(early_st)
        return {'try': i, 'status': code, 'signaled': False, 'ms': 0.0, 'ready': False,
                'out': 'ENDED BEFORE THE SIGNAL WAS SENT\n' + kept(out)}
    if cfg.get('xoff'):
        # Ctrl-S (XOFF) first: the terminal stops output, and the command blocks in its next write to it (no CPU used
        # for 150 ms, at most 5 s); then the signal is sent to a command stuck in write(2).
        os.write(master, b'\x13')
        last_cpu, still, end = None, 0, time.monotonic() + 5
        while still < 15 and time.monotonic() < end:
            time.sleep(0.01)
            cpu = cpu_ticks(pid)
            still = still + 1 if cpu == last_cpu else 0
            last_cpu = cpu
        if still < 15:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {'try': i, 'status': None, 'signaled': None, 'ms': 0.0, 'ready': False,
                    'out': 'NEVER BLOCKED AFTER CTRL-S\n' + kept(out)}
        sent = time.monotonic()
    if sig_name == 'ctrl-c':
        os.write(master, b'\x03')
    else:
        os.kill(pid, signum)
    status = None
    while time.monotonic() - sent < timeout:
        p, st = os.waitpid(pid, os.WNOHANG)
        if p == pid:
            status = st
            break
        drain(0.005)
    ms = (time.monotonic() - sent) * 1000
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        res = {'try': i, 'status': None, 'signaled': None, 'ms': ms}
    else:
        sigd = os.WIFSIGNALED(status)
        code = 128 + os.WTERMSIG(status) if sigd else os.WEXITSTATUS(status)
        res = {'try': i, 'status': code, 'signaled': sigd, 'ms': ms}
    drain(0.05)
    try:
        os.close(master)
    except OSError:
        pass
    if stdin_mode == 'idle-pipe':
        os.close(keep[1])
    res['ready'] = ready
    res['out'] = kept(out)
    return res


def main():
    cfg = json.loads(sys.argv[1])
    tries = cfg.get('tries', 1)
    par = max(1, min(cfg.get('parallel', 1), tries))
    lock = threading.Lock()
    todo = list(range(tries))

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop(0)
            res = one(cfg, i)
            with lock:
                print(json.dumps(res), flush=True)

    threads = [threading.Thread(target=worker) for _ in range(par)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


main()
