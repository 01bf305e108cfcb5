#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/tcpconnect.py: whether a TCP connection to a port of
the loopback is accepted (t-start-stop.sh).

  tcpconnect.py PORT

Connects to 127.0.0.1:PORT (5 s at most) and closes the connection at once.

Exit status: 0 accepted, 1 refused or timed out."""
import socket
import sys

try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5).close()
except OSError as e:
    sys.exit(f"tcpconnect: 127.0.0.1:{sys.argv[1]}: {e}")
