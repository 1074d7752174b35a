#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal (stdin, stdout and stderr) and
prints everything it wrote, raw. Exits with the command's exit code.

  cli_pty.py [--answer TEXT] [--stdin-pipe] -- COMMAND ARGS...

--answer TEXT: typed (with a newline) when the command asks "[y/N]".
--stdin-pipe: stdin is an empty pipe instead of the terminal.

When $STRATA_WRAP is set (e.g. valgrind) and COMMAND is $STRATA_BIN, it
runs as tests/lib.sh runs strata: $STRATA_LIBTOOL --mode=execute
$STRATA_WRAP COMMAND ARGS...
"""
import fcntl
import os
import select
import shlex
import sys
import termios


def wrapped(cmd):
    wrap = os.environ.get("STRATA_WRAP", "")
    if not wrap or not cmd or cmd[0] != os.environ.get("STRATA_BIN"):
        return cmd
    return ([os.environ["STRATA_LIBTOOL"], "--mode=execute"] +
            shlex.split(wrap) + cmd)


def main():
    args = sys.argv[1:]
    answer = None
    stdin_pipe = False
    while args and args[0] != "--":
        if args[0] == "--answer":
            answer = args[1]
            args = args[2:]
        elif args[0] == "--stdin-pipe":
            stdin_pipe = True
            args = args[1:]
        else:
            sys.exit("cli_pty.py: unknown option " + args[0])
    cmd = wrapped(args[1:])
    if stdin_pipe:
        r, w = os.pipe()
        os.close(w)
    # The parent keeps the slave open, so reading the master never ends in
    # EIO while output the child wrote just before it exited is still in
    # the terminal's buffers (some kernels drop it then).
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        os.dup2(r if stdin_pipe else slave, 0)
        os.dup2(slave, 1)
        os.dup2(slave, 2)
        if slave > 2:
            os.close(slave)
        os.execvp(cmd[0], cmd)
    out = b""
    asked = False
    status = None
    while True:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            out += os.read(master, 4096)
            if answer is not None and not asked and b"[y/N]" in out:
                os.write(master, answer.encode() + b"\n")
                asked = True
            continue
        if status is not None:
            break  # exited, and nothing more came within 50 ms
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)


main()
