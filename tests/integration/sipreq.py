#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/sipreq.py: send one SIP request over UDP, TCP or TLS
and print the first final response (status line and headers).

  sipreq.py [-H 'Header: value']... [--via VIA]... [--max-forwards N]
            [--cseq-method M] [--raw FILE] [--shut-wr] [--expect-none]
            [--timeout S] [--user USER] [--epid EPID] [--ping]
            TRANSPORT HOST PORT METHOD URI

--user sets the user of From (default probe; To too for REGISTER), --epid
adds ;epid=EPID to From.  --ping sends a double-CRLF keep-alive ping
(RFC 5626 §3.5.1) instead of a request and prints "pong" when the answer
is one CRLF (METHOD and URI are not used).

--raw sends the bytes of FILE as they are (a message from a torture test
set) instead of building a request; METHOD and URI are not used then.
--shut-wr ends the sending side of a TCP connection once the request is
out, so that a parser waiting for more bytes sees the end.

Exit status: 0 a final response was printed (with --expect-none: none came
in time), 2 no response in time, 3 a response came despite --expect-none,
1 usage or connection error.  TLS does not verify the server certificate
(the tests use a self-signed one)."""
import argparse
import os
import socket
import ssl
import sys
import time


def build(a, lhost, lport):
    method, uri, transport = a.method, a.uri, a.transport
    tag = os.urandom(4).hex()
    lines = [
        f"{method} {uri} SIP/2.0",
        f"Via: SIP/2.0/{transport.upper()} {lhost}:{lport};branch=z9hG4bK{os.urandom(6).hex()};rport",
    ]
    lines += [f"Via: {v}" for v in a.via]
    lines += [
        f"Max-Forwards: {a.max_forwards}",
        f"From: <sip:{a.user}@example.test>;tag={tag}"
        + (f";epid={a.epid}" if a.epid else ""),
        f"To: <{uri}>" if method != "REGISTER" else f"To: <sip:{a.user}@example.test>",
        f"Call-ID: {os.urandom(8).hex()}@sipreq",
        f"CSeq: 1 {a.cseq_method or method}",
        f"Contact: <sip:probe@{lhost}:{lport};transport={transport}>",
        "User-Agent: sipsa-tests/sipreq",
    ]
    lines += a.headers
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


def parse(data):
    """Split a buffer into (response text, rest) or (None, data)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, data
    head = data[:end].decode(errors="replace")
    length = 0
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() in ("content-length", "l"):
            length = int(value.strip() or 0)
    total = end + 4 + length
    if len(data) < total:
        return None, data
    return head, data[total:]


def close(s):
    """Close cleanly (a TLS close_notify first), ignoring errors."""
    try:
        if isinstance(s, ssl.SSLSocket):
            s.settimeout(2)
            s = s.unwrap()
        s.close()
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-H", dest="headers", action="append", default=[])
    ap.add_argument("--via", action="append", default=[])
    ap.add_argument("--max-forwards", type=int, default=70)
    ap.add_argument("--cseq-method")
    ap.add_argument("--raw")
    ap.add_argument("--shut-wr", action="store_true")
    ap.add_argument("--expect-none", action="store_true")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--user", default="probe")
    ap.add_argument("--epid")
    ap.add_argument("--ping", action="store_true")
    ap.add_argument("transport", choices=["udp", "tcp", "tls"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("method")
    ap.add_argument("uri")
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    try:
        if a.transport == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((a.host, 0))
            s.connect((a.host, a.port))
        else:
            s = socket.create_connection((a.host, a.port), timeout=a.timeout)
            if a.transport == "tls":
                ctx = ssl.create_default_context()
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
                s = ctx.wrap_socket(s)
        lhost, lport = s.getsockname()[:2]
        if a.ping:
            msg = b"\r\n\r\n"
        elif a.raw:
            with open(a.raw, "rb") as f:
                msg = f.read()
        else:
            msg = build(a, lhost, lport)
        s.sendall(msg) if a.transport != "udp" else s.send(msg)
        if a.shut_wr and a.transport == "tcp":
            s.shutdown(socket.SHUT_WR)
    except OSError as e:
        print(f"sipreq: {a.transport} {a.host}:{a.port}: {e}", file=sys.stderr)
        return 1
    buf = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if a.expect_none:
                return 0
            print("sipreq: no final response in time", file=sys.stderr)
            return 2
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        except OSError as e:
            print(f"sipreq: receive: {e}", file=sys.stderr)
            return 1
        if not chunk:
            print("sipreq: connection closed", file=sys.stderr)
            return 2
        buf = buf if a.transport != "udp" else b""
        buf += chunk
        if a.ping:
            # RFC 5626 §3.5.1: the pong is one CRLF.
            print("pong" if buf == b"\r\n" else f"not a pong: {buf!r}")
            close(s)
            return 0 if buf == b"\r\n" else 1
        while True:
            head, buf = parse(buf)
            if head is None:
                break
            parts = head.split(" ", 2)
            if len(parts) > 1 and parts[1].isdigit() and int(parts[1]) >= 200:
                print(head.replace("\r\n", "\n"))
                close(s)
                return 3 if a.expect_none else 0


if __name__ == "__main__":
    sys.exit(main())
