#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/flood.py: unauthenticated floods for t-flood.sh.

  flood.py udp PORT COUNT
      COUNT REGISTERs without credentials, every other one an NTLM first
      leg (gssapi-data=""), each a new transaction from one UDP socket, as
      fast as they go; answers are read when they come (and counted).
  flood.py tcp-noread PORT SECONDS
      one TCP connection, REGISTERs without credentials back to back,
      never reading an answer, for SECONDS or until sipsad closes it.
  flood.py tcp-pipeline PORT COUNT
      one TCP connection, COUNT REGISTERs pipelined, up to 200 of them
      unanswered at any time, while the answers are read; waits for all
      of them.

Prints "key=value" lines: sent, answers, bytes, closed (1 when sipsad
closed the connection).  Exit status 0, or 1 on a usage or connection
error."""
import os
import select
import socket
import sys
import time


def register(transport, lport, n, ntlm):
    auth = ('Authorization: NTLM qop="auth", realm="SIP Communications '
            'Service", targetname="proxy.example.test", version=4, '
            'gssapi-data=""\r\n') if ntlm else ""
    return (f"REGISTER sip:example.test SIP/2.0\r\n"
            f"Via: SIP/2.0/{transport} 127.0.0.1:{lport};"
            f"branch=z9hG4bKflood{n};rport\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: <sip:user{n % 50 + 1}@example.test>;tag=f{n};"
            f"epid=e{n:010x}\r\n"
            f"To: <sip:user{n % 50 + 1}@example.test>\r\n"
            f"Call-ID: flood-{n}-{os.getpid()}\r\n"
            f"CSeq: 1 REGISTER\r\n"
            f"Contact: <sip:user@127.0.0.1:{lport};transport="
            f"{transport.lower()}>\r\n"
            f"{auth}"
            f"Content-Length: 0\r\n\r\n").encode()


def count_answers(data):
    return data.count(b"SIP/2.0 ")


def udp(port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.setblocking(False)
    lport = s.getsockname()[1]
    answers = sent = 0
    for n in range(count):
        msg = register("UDP", lport, n, n % 2 == 1)
        while True:
            try:
                s.sendto(msg, ("127.0.0.1", port))
                sent += 1
                break
            except BlockingIOError:
                select.select([], [s], [], 0.1)
        try:
            while True:
                s.recv(65536)
                answers += 1
        except BlockingIOError:
            pass
    end = time.time() + 2
    while time.time() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            s.recv(65536)
            answers += 1
    print(f"sent={sent}\nanswers={answers}")


def tcp_noread(port, seconds):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    lport = s.getsockname()[1]
    s.setblocking(False)
    sent = nbytes = closed = 0
    end = time.time() + seconds
    buf = b""
    n = 0
    while time.time() < end and not closed:
        if not buf:
            buf = b"".join(register("TCP", lport, n + i, False)
                           for i in range(50))
            n += 50
        _, w, _ = select.select([], [s], [], 0.2)
        if not w:
            continue
        try:
            k = s.send(buf)
        except (BrokenPipeError, ConnectionResetError):
            closed = 1
            break
        except BlockingIOError:
            continue
        nbytes += k
        buf = buf[k:]
        if not buf:
            sent = n
    print(f"sent={sent}\nbytes={nbytes}\nclosed={closed}")
    s.close()


def tcp_pipeline(port, count, window=200):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    lport = s.getsockname()[1]
    s.setblocking(False)
    answers = closed = sent = 0
    out = b""
    data = b""
    end = time.time() + 120
    while answers < count and not closed and time.time() < end:
        while sent < count and sent - answers < window:
            out += register("TCP", lport, sent, False)
            sent += 1
        r, w, _ = select.select([s], [s] if out else [], [], 0.5)
        if w:
            try:
                out = out[s.send(out):]
            except (BrokenPipeError, ConnectionResetError):
                closed = 1
        if r:
            try:
                chunk = s.recv(1 << 20)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed = 1
            data += chunk
            cut = data.rfind(b"SIP/2.0 ")
            if cut > 0:
                answers += count_answers(data[:cut])
                data = data[cut:]
            if data.endswith(b"\r\n\r\n"):
                answers += count_answers(data)
                data = b""
    answers += count_answers(data)
    print(f"sent={sent}\nanswers={answers}\nclosed={closed}")


def main():
    mode, port, arg = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if mode == "udp":
        udp(port, int(arg))
    elif mode == "tcp-noread":
        tcp_noread(port, float(arg))
    elif mode == "tcp-pipeline":
        tcp_pipeline(port, int(arg))
    else:
        sys.exit(f"unknown mode {mode}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
