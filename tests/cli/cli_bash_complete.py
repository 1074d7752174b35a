#!/usr/bin/env python3
"""Completion in a real interactive bash on a pseudo-terminal.

  cli_bash_complete.py SCRIPT LINE

Starts bash -i (no rc files) with SCRIPT sourced and `strata` defined as
a function that prints its arguments as <ARG>, types LINE, TAB twice and
Enter, and prints what the terminal showed (carriage returns and escape
sequences removed): the list bash offers when several words match, and
the <ARG>s of the line as completed. COMP_WORDBREAKS is bash's default.
"""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def read_until(fd, marker, timeout=20):
    out = b""
    end = time.time() + timeout
    while marker not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def settle(fd, quiet=0.4, first=1.5, timeout=10):
    """What fd prints until it has been quiet for `quiet` seconds, after
    waiting up to `first` seconds for it to start: on a loaded machine
    (a sanitizer build, a parallel make) a completion can take longer to
    begin than `quiet`."""
    out = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], quiet if out else first)
        if not r:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def main():
    script, line = sys.argv[1], sys.argv[2]
    env = dict(os.environ, TERM="dumb", PS1="$ ", INPUTRC="/dev/null",
               HISTFILE="/dev/null")
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
    setup = (
        "bind 'set bell-style none'; "
        ". '%s'; strata() { printf '<%%s>' \"$@\"; echo; echo DO''NE; }; "
        "echo RE''ADY\n" % script.replace("'", "'\\''"))
    os.write(fd, setup.encode())
    # Readline prints the prompt once the terminal is in raw mode; typed
    # earlier, the line would meet the kernel's canonical mode instead.
    seen = read_until(fd, b"READY\r\n")
    if b"$ " not in seen.split(b"READY\r\n", 1)[-1]:
        read_until(fd, b"$ ")
    # Each key only once bash has answered the previous one: readline
    # echoes the line, and a TAB's completion or list is followed by quiet.
    os.write(fd, line.encode())
    seen = read_until(fd, line[-8:].encode())
    for _ in range(2):
        os.write(fd, b"\t")
        seen += settle(fd)
    # Enter runs the line, and `strata` marks its end. Nothing is typed
    # ahead: bash puts the terminal back in canonical mode to run a
    # command, and the kernel would echo early keys before its output.
    os.write(fd, b"\n")
    out = seen + read_until(fd, b"DONE\r\n")
    os.write(fd, b"exit\n")
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    text = out.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\x07", "", text)
    text = text.replace("\r", "")
    sys.stdout.write(text.split("DONE\n")[0])


main()
