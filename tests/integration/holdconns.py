#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/holdconns.py: open up to COUNT idle TCP connections to
127.0.0.1:PORT, print "held N" once no more can be opened (or COUNT are
open), keep them for SECONDS, then close them all.

  holdconns.py PORT COUNT SECONDS [trickle]

With "trickle", each connection sends the start of a REGISTER and then one
more byte every half second, a message that never ends; at the end,
"closed M" says how many sipsad had closed by then.

Exit status 0; 1 when not even one connection could be opened."""
import resource
import select
import socket
import sys
import time

HALF = (b"REGISTER sip:example.test SIP/2.0\r\n"
        b"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKslow\r\n")


def main():
    port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    trickle = len(sys.argv) > 4 and sys.argv[4] == "trickle"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    socks = []
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            break
        if trickle:
            s.sendall(HALF)
            s.setblocking(False)
        socks.append(s)
    print(f"held {len(socks)}", flush=True)
    closed = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.5)
        if not trickle:
            continue
        for s in socks:
            if s in closed:
                continue
            try:
                s.send(b"X")
                r, _, _ = select.select([s], [], [], 0)
                if r and not s.recv(65536):
                    closed.add(s)
            except OSError:
                closed.add(s)
    if trickle:
        print(f"closed {len(closed)}", flush=True)
    for s in socks:
        s.close()
    return 0 if socks else 1


if __name__ == "__main__":
    sys.exit(main())
