#!/usr/bin/env python3
"""fsck_pty.py: runs a command on a pseudo-terminal and answers its questions.

  fsck_pty.py TRANSCRIPT ANSWERS COMMAND...

The command's standard input, output and error are the terminal. Each time its output
ends with a question ("? [ynaq] "), the next answer is typed: ANSWERS is a list separated
by commas, each a line to type ("y", "n", "a", "q", "maybe") or one of the words INT
(^C: the terminal sends SIGINT) and EOF (^D: end of file). Everything the terminal showed
goes to TRANSCRIPT; the exit status is the command's (128+N if signal N killed it). Exits
77 if no pseudo-terminal can be made, and 99 after 60 s or if the command asks more
questions than there are answers (it is then killed).
"""
import os
import pty
import select
import signal
import sys
import time

PROMPT = b"? [ynaq] "


def main():
    transcript, answers, argv = sys.argv[1], sys.argv[2].split(",") if sys.argv[2] else [], sys.argv[3:]
    try:
        pid, fd = pty.fork()
    except OSError as e:
        print(f"SKIP: no pseudo-terminal: {e}")
        sys.exit(77)
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    out = b""
    asked = 0
    deadline = time.monotonic() + 60
    status = None
    while True:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            out += b"\n[fsck_pty: timed out]\n"
            status = 99
            break
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            if not data:
                break
            out += data
            if out.endswith(PROMPT) and out.count(PROMPT) > asked:
                if asked >= len(answers):
                    os.kill(pid, signal.SIGKILL)
                    out += b"\n[fsck_pty: more questions than answers]\n"
                    status = 99
                    break
                answer = answers[asked]
                asked += 1
                os.write(fd, {"INT": b"\x03", "EOF": b"\x04"}.get(answer, answer.encode() + b"\n"))
    _, wstatus = os.waitpid(pid, 0)
    with open(transcript, "wb") as f:
        f.write(out.replace(b"\r\n", b"\n"))
    if status is None:
        status = os.waitstatus_to_exitcode(wstatus)
        status = 128 - status if status < 0 else status
    sys.exit(status)


if __name__ == "__main__":
    main()
