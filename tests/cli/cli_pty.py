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
import os
import pty
import shlex
import sys


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
    pid, fd = pty.fork()
    if pid == 0:
        if stdin_pipe:
            os.dup2(r, 0)
        os.execvp(cmd[0], cmd)
    out = b""
    asked = False
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
        if answer is not None and not asked and b"[y/N]" in out:
            os.write(fd, answer.encode() + b"\n")
            asked = True
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    sys.stdout.flush()
    sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)


main()
