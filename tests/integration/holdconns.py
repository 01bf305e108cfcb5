#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/holdconns.py: open up to COUNT idle TCP connections to
127.0.0.1:PORT, print "held N" once no more can be opened (or COUNT are
open), keep them for SECONDS, then close them all.

  holdconns.py PORT COUNT SECONDS

Exit status 0; 1 when not even one connection could be opened."""
import socket
import sys
import time


def main():
    port, count, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    socks = []
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port),
                                                  timeout=2))
        except OSError:
            break
    print(f"held {len(socks)}", flush=True)
    time.sleep(seconds)
    for s in socks:
        s.close()
    return 0 if socks else 1


if __name__ == "__main__":
    sys.exit(main())
