#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/bigreq.py: one REGISTER with an oversized header over
a new TCP connection, for t-sipp-auth.sh.

  bigreq.py PORT KIND SIZE

Sends to 127.0.0.1:PORT a REGISTER for user1 whose NTLM Authorization has
SIZE bytes of gssapi-data (KIND auth) or whose From display name has SIZE
bytes (KIND from), and prints what came of it: "status <status line>",
"closed" (the connection ended without an answer) or "silence" (no answer
in 10 s with the connection still open).

Exit status: 0 one of the three was printed, 1 no connection."""
import os
import socket
import sys


def main():
    port, kind, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    host, lport = s.getsockname()[:2]
    tag = os.urandom(4).hex()
    name = "x" * size if kind == "from" else "big"
    lines = ["REGISTER sip:example.test SIP/2.0",
             f"Via: SIP/2.0/TCP {host}:{lport};"
             f"branch=z9hG4bK{os.urandom(6).hex()}",
             "Max-Forwards: 70",
             f'From: "{name}" <sip:user1@example.test>;tag={tag};'
             "epid=1259c01b0250",
             "To: <sip:user1@example.test>",
             f"Call-ID: {os.urandom(8).hex()}@t-sipp-auth",
             "CSeq: 1 REGISTER",
             f"Contact: <sip:user1@{host}:{lport};transport=tcp>"]
    if kind == "auth":
        lines.append('Authorization: NTLM qop="auth", '
                     'realm="SIP Communications Service", '
                     'targetname="proxy.example.test", '
                     'gssapi-data="' + "A" * size + '", version=4')
    lines += ["Content-Length: 0", "", ""]
    buf = b""
    try:
        s.sendall("\r\n".join(lines).encode())
        while b"\r\n" not in buf:
            data = s.recv(65536)
            if not data:
                break
            buf += data
    except socket.timeout:
        print("silence")
        return 0
    except OSError:
        pass
    if b"\r\n" in buf:
        print("status", buf.split(b"\r\n")[0].decode(errors="replace"))
    else:
        print("closed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
