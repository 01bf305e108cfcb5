#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""tests/integration/torture.py: send RFC 4475 torture messages to sipsad
and print what each one drew, for t-rfc4475.sh.

  torture.py [--as-is] [--wait S] TRANSPORT HOST PORT FILE...

For each FILE (tests/data/rfc4475/NAME.dat) prints one line, "NAME
OUTCOME...", where OUTCOME is the status code of each response that came
back for it, in order, then "closed" if sipsad closed the TCP connection,
or the single word "none" when nothing came back at all.

The files are as the archive in the RFC's appendix ships them: a file without
a CR has LF line ends, turned into CRLF here (the Content-Length values
assume CRLF); intmeth and mpart01 have CRLF already and a binary or NUL
byte that must stay as it is.  Then, unless --as-is, the top Via of every
request in the file (dblreq holds two) gets two changes, and nothing
else in the message is touched:

  * its sent-by becomes this sender's socket address (127.0.0.1:port):
    the RFC's hosts (192.0.2.x, example.com) are nobody's, and the
    response of a request goes to its sent-by (RFC 3261 §18.2.2), over
    UDP with a received= of the source address but the sent-by's port;
  * its transport becomes the one the message travels over: nta drops
    without an answer a request whose top Via names another transport
    than the one it came in on (agent_check_request_via(), "Via check:
    invalid transport"), and §18.2.2 would send the answer to a UDP Via
    over UDP.  The lower Vias (transports' SCTP, TLS, UNKNOWN) stay.

Only the host token and transport token are replaced; the whitespace,
line folding, version (badvers' SIP/7.0) and parameters around them are
kept, so what each message tests is unchanged.  Responses (unreason,
noreason, bcast, bigcode, scalarlg) are sent as they are.

UDP: one socket for all the files.  After each message, a probe (an
OPTIONS to sipsad itself, answered 200 without credentials) is sent from
the same socket; sipsad handles datagrams in order, so every answer that
comes before the probe's is the message's, and one message costs no
waiting.  TCP: a new connection per file; once it is sent, a probe goes
on a second connection, which sipsad accepts only after it has read the
first: when the probe is answered, the message's answers (and its FIN,
when sipsad closes) are on their way, and the first connection is read
until it closes or --wait seconds (default 0.5) pass without a byte.  A
probe without an answer in 10 s ends the run with exit status 2.

Exit status: 0 every file was sent, 1 usage or connection error, 2 a
probe went unanswered (sipsad stuck or dead)."""
import argparse
import os
import re
import socket
import sys
import time

VIA_NAME = re.compile(rb"(?im)^(?:via|v)[ \t]*:")
# SIP / version / transport LWS host [":" port] of a Via value, LWS and
# line folding allowed where RFC 3261 §25.1 allows them (SLASH = SWS "/"
# SWS, then LWS before sent-by).
SWS = rb"(?:[ \t]|\r\n[ \t])*"
LWS = rb"(?:[ \t]|\r\n[ \t])+"
SENT_BY = re.compile(
    rb"(" + SWS + rb"SIP" + SWS + rb"/" + SWS + rb"[0-9.]+" + SWS + rb"/"
    + SWS + rb")([A-Za-z0-9._!%*+`'~-]+)(" + LWS + rb")"
    rb"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:[0-9]+)?", re.I)


def crlf(data):
    """The archive's LF line ends as CRLF, unless the file has CRs."""
    return data if b"\r" in data else data.replace(b"\n", b"\r\n")


def header_end(data, start):
    end = data.find(b"\r\n\r\n", start)
    return len(data) if end < 0 else end


def rewrite_vias(data, transport, host, port):
    """Rewrite the top Via of each request in data (see above)."""
    out, pos = b"", 0
    starts = [m.start() for m in re.finditer(
        rb"(?m)^[A-Za-z0-9!%*_+`'~.-]+ [^\r\n]* SIP/[0-9.]+[ \t]*\r\n",
        data)]
    starts = [s for s in starts if s == 0 or data[s - 2:s] == b"\r\n"]
    for start in starts:
        if start < pos:
            continue
        m = VIA_NAME.search(data, start, header_end(data, start))
        if m is None:
            continue
        v = SENT_BY.match(data, m.end())
        if v is None:
            raise ValueError("no Via sent-by found at %d" % m.end())
        out += data[pos:v.start(2)] + transport.upper().encode()
        out += v.group(3) + f"{host}:{port}".encode()
        pos = v.end()
    return out + data[pos:]


def call_id(data):
    m = re.search(rb"(?im)^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*)", data)
    return m.group(1).strip() if m else None


def responses(buf):
    """Split complete responses off buf: ([(status, call-id)], rest)."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        head = buf[:end]
        m = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*([0-9]+)",
                      head)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return out, buf
        first = head.split(b"\r\n", 1)[0].split(b" ")
        if first[0].startswith(b"SIP/") and len(first) > 1:
            out.append((first[1].decode(errors="replace"), call_id(head)))
        buf = buf[total:]


def probe(transport, host, lhost, lport, sport):
    cid = f"probe-{os.urandom(6).hex()}@torture".encode()
    return cid, "\r\n".join([
        f"OPTIONS sip:{host}:{sport} SIP/2.0",
        f"Via: SIP/2.0/{transport.upper()} {lhost}:{lport};"
        f"branch=z9hG4bK{os.urandom(6).hex()}",
        "Max-Forwards: 70",
        f"From: <sip:torture@example.test>;tag={os.urandom(4).hex()}",
        f"To: <sip:{host}:{sport}>",
        f"Call-ID: {cid.decode()}",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0", "", ""]).encode()


def run_udp(a, files):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.host, 0))
    s.connect((a.host, a.port))
    lhost, lport = s.getsockname()[:2]
    for name, data in files:
        if not a.as_is:
            data = rewrite_vias(data, "udp", lhost, lport)
        s.send(data)
        cid, p = probe("udp", a.host, lhost, lport, a.port)
        s.send(p)
        got, deadline = [], time.monotonic() + 10
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"torture: no answer to the probe after {name}",
                      file=sys.stderr)
                return 2
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                continue    # ICMP errors of earlier sends
            rs, _ = responses(chunk)
            if any(c == cid for _, c in rs):
                break
            got += [st for st, _ in rs]
        print(name, " ".join(got) if got else "none", flush=True)
    return 0


def read_tcp(s, grace):
    """Responses on s until it closes or grace seconds pass without a
    byte: ([(status, call-id)], closed)."""
    buf, got = b"", []
    s.settimeout(grace)
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return got, False
        except OSError:
            return got, True
        if not chunk:
            return got, True
        rs, buf = responses(buf + chunk)
        got += rs


def probe_tcp(a):
    """A probe on a new connection: True once its 200 came back."""
    s = socket.create_connection((a.host, a.port), timeout=10)
    lhost, lport = s.getsockname()[:2]
    cid, p = probe("tcp", a.host, lhost, lport, a.port)
    s.sendall(p)
    buf, deadline = b"", time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            s.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = s.recv(65536)
            if not chunk:
                break
            rs, buf = responses(buf + chunk)
            if any(st == "200" and c == cid for st, c in rs):
                return True
    except OSError:
        pass
    finally:
        s.close()
    return False


def run_tcp(a, files):
    for name, data in files:
        s = socket.create_connection((a.host, a.port), timeout=10)
        lhost, lport = s.getsockname()[:2]
        if not a.as_is:
            data = rewrite_vias(data, "tcp", lhost, lport)
        s.sendall(data)
        # sipsad reads this connection before it accepts the probe's:
        # once the probe is answered, this message has been handled.
        if not probe_tcp(a):
            print(f"torture: no answer to the probe after {name}",
                  file=sys.stderr)
            return 2
        got, closed = read_tcp(s, a.wait)
        s.close()
        words = [st for st, _ in got] + (["closed"] if closed else [])
        print(name, " ".join(words) if words else "none", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--as-is", action="store_true")
    ap.add_argument("--wait", type=float, default=0.5)
    ap.add_argument("transport", choices=["udp", "tcp"])
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    files = []
    for path in a.files:
        with open(path, "rb") as f:
            files.append((os.path.basename(path).rsplit(".", 1)[0],
                          crlf(f.read())))
    try:
        if a.transport == "udp":
            return run_udp(a, files)
        return run_tcp(a, files)
    except OSError as e:
        print(f"torture: {a.transport} {a.host}:{a.port}: {e}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
