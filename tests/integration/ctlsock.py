#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/ctlsock.py: sipsad's control socket spoken to
directly, for what sipsactl never does (t-sipsactl.sh).

  ctlsock.py SOCKET raw LINE      send LINE and a newline; print the answer
  ctlsock.py SOCKET long          send a line of 5000 bytes; print the answer
  ctlsock.py SOCKET two           two clients at once, each sends half its
                                  line, then both finish; print both answers
  ctlsock.py SOCKET hangup        ask for an answer and leave without
                                  reading it, then connect and leave with
                                  nothing sent; print "done"
  ctlsock.py SOCKET crowd N       N clients connect and wait; a client more
                                  gets an answer at once: print it

Each answer is printed on a line of its own; exit status 0, or 1 when an
answer is not one JSON object ended by a newline."""
import json
import socket
import sys


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def read_all(s):
    got = b""
    while True:
        b = s.recv(65536)
        if not b:
            return got
        got += b


def show(ans):
    text = ans.decode()
    print(text, end="")
    if not text.endswith("\n") or text.count("\n") != 1:
        sys.exit("not one line: %r" % text)
    if not isinstance(json.loads(text), dict):
        sys.exit("not a JSON object: %r" % text)


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "raw":
        s = connect(path)
        s.sendall(sys.argv[3].encode() + b"\n")
        show(read_all(s))
    elif mode == "long":
        s = connect(path)
        try:
            s.sendall(b"sa list " + b"x" * 5000 + b"\n")
        except BrokenPipeError:
            pass
        show(read_all(s))
    elif mode == "two":
        a, b = connect(path), connect(path)
        a.sendall(b"sta")
        b.sendall(b"sa li")
        a.sendall(b"tus\n")
        b.sendall(b"st\n")
        show(read_all(a))
        show(read_all(b))
    elif mode == "hangup":
        s = connect(path)
        s.sendall(b"status\n")
        s.close()
        s = connect(path)
        s.close()
        print("done")
    elif mode == "crowd":
        crowd = [connect(path) for _ in range(int(sys.argv[3]))]
        extra = connect(path)
        show(read_all(extra))
        for s in crowd:
            s.close()
    else:
        sys.exit("unknown mode " + mode)


main()
