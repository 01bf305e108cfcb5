#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/resend.py: send again the last signed REGISTER
refresh of a sipsa-client -v flow, for t-replay.sh (or its Kerberos
AP-REQ, for t-keytab-rotate.sh).

  resend.py FLOW PORT MODE

FLOW is sipsa-client -v output (requests after ">>> sent to " lines).  The
last REGISTER with cnum= and without gssapi-data (a signed refresh) is sent
on a new TCP connection to 127.0.0.1:PORT, byte for byte but for its Via
branch (z9hG4bKreplayMODE; no signature covers it).  MODE "same" changes
nothing else; "tamper" also changes the last character of the signed
Call-ID.  Prints the response head that comes back.

MODE "apreq" sends the last REGISTER that carried a Kerberos AP-REQ
(gssapi-data, the handshake's one leg) the same way: a replayed ticket.

MODE "retransmit" (a flow over UDP) sends the request unchanged, branch
included, over UDP from the client's own port (its Via sent-by): a
retransmission (sipsad answers it where its Via says).  The answer must be the one the client got, byte for
byte in its To tag and Authentication-Info; exit status 3 when not.

Exit status: 0 sent (and printed what came back), 1 no signed refresh in
FLOW or a connection error."""
import re
import socket
import sys


def retransmit(text, req, port):
    """Send req again over UDP from its Via port; compare the answers."""
    cseq = re.search(r"^CSeq: (.*)$", req, re.M).group(1)
    via = re.search(r"^Via: SIP/2.0/UDP ([^:;]+):(\d+)", req, re.M)
    got = [b.split("\n", 1)[1].split("\n\n", 1)[0]
           for b in text.split("<<< received from ")[1:]]
    first = [r for r in got if r.startswith("SIP/2.0 ")
             and f"\nCSeq: {cseq}\n" in r + "\n"][-1]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((via.group(1), int(via.group(2))))
    s.settimeout(10)
    s.sendto(("\r\n".join(req.split("\n")) + "\r\n\r\n").encode(),
             ("127.0.0.1", port))
    again = s.recv(65536).decode(errors="replace").replace("\r", "")
    print(again)

    def key(r):
        return [line for line in r.split("\n")
                if line.startswith(("SIP/2.0 ", "To:",
                                    "Authentication-Info:"))]
    if key(again) != key(first):
        print("differs from the first answer:\n" + "\n".join(key(first)))
        return 3
    return 0


def main():
    flow, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    text = open(flow).read().split(">>> sent to ")
    reqs = [b.split("\n", 1)[1] for b in text[1:]]
    reqs = [r.split("\n\n", 1)[0] for r in reqs
            if r.startswith("REGISTER ")]
    if mode == "apreq":
        reqs = [r for r in reqs if "Kerberos" in r
                and re.search(r'gssapi-data="[^"]', r)]
    else:
        reqs = [r for r in reqs if "cnum=" in r and "gssapi-data" not in r]
    if not reqs:
        sys.exit(f"no {'AP-REQ' if mode == 'apreq' else 'signed refresh'}"
                 " in the flow")
    if mode == "retransmit":
        return retransmit(open(flow).read(), reqs[-1], port)
    out = []
    for line in reqs[-1].split("\n"):
        if line.startswith("Via:"):
            line = line.split(";branch=")[0] + ";branch=z9hG4bKreplay" + mode
        if mode == "tamper" and line.startswith("Call-ID:"):
            line = line[:-1] + ("0" if line[-1] != "0" else "1")
        out.append(line)
    msg = ("\r\n".join(out) + "\r\n\r\n").encode()
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(msg)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    print(data.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
