#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/attack.py: the hostile side of the soak (bench/soak.sh): what a
peer that has no account can send to a registrar, from a source address
of its choosing (bind() before connect(), so any 127.x.y.z on loopback).

  attack.py udp-flood --server HOST:PORT [--source ADDR] [--rate R]
  attack.py tcp-flood --server HOST:PORT [--source ADDR]
  attack.py guess --server HOST:PORT --user USER --domain DOMAIN
                  [--source ADDR] [--interval S]

Common options: --status FILE (the counters as JSON, rewritten every
second and at the end), --aor-domain D (the domain of From and To,
default example.test).  Each runs until SIGTERM or SIGINT.

udp-flood   REGISTERs without credentials and NTLM first legs (an empty
            gssapi-data, each making a half-open SA), alternately, as fast
            as this process can (or --rate a second); answers are read
            back without waiting and counted by status.
tcp-flood   one TCP connection carrying unauthenticated REGISTERs back to
            back; nothing is ever read from it, so the server's answers
            pile up on its side.  When the server closes the connection a
            new one is opened a second later (counted).
guess       password guessing: NTLM sign-ins as USER with a wrong password,
            one after the other (a NEGOTIATE-less first leg, then an
            AUTHENTICATE with a real NTLMv2 response computed from a wrong
            password).  Each attempt ends as refused by the lockout (503),
            rejected by the mechanism (401 or 403 after the AUTHENTICATE,
            the password was checked), accepted (200: a wrong password
            signed in, which must never happen), a timeout or another
            answer.

The realm string and targetname are taken from the server's own
challenge at start.  No answer is ever signed or checked: this is not a
client, only its traffic."""

import argparse
import base64
import errno
import hmac
import json
import os
import re
import select
import signal
import socket
import struct
import time

STOP = False


def on_signal(*_):
    global STOP
    STOP = True


def write_status(path, st):
    if not path:
        return
    st["time"] = time.time()
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, path)


def hostport(s):
    host, _, port = s.rpartition(":")
    return host, int(port)


# ---- SIP text ----------------------------------------------------------

STATUS = re.compile(rb"^SIP/2\.0 (\d{3}) ")


def request(transport, local, aor_domain, user, n, auth=None, cseq=1,
            callid=None, epid="0badcafe"):
    """A REGISTER for user from local (host, port); n makes the
    transaction's identifiers unique.  Fixed-width counters, so that all
    messages of one kind are the same length."""
    host, port = local
    callid = callid or b"%010d-%s" % (n, os.urandom(4).hex().encode())
    lines = [
        b"REGISTER sip:%s SIP/2.0" % aor_domain,
        b"Via: SIP/2.0/%s %s:%d;branch=z9hG4bK%010d%s;rport" % (
            transport, host.encode(), port, n,
            os.urandom(3).hex().encode()),
        b"Max-Forwards: 70",
        b"From: <sip:%s@%s>;tag=%010d;epid=%s" % (user, aor_domain, n,
                                                epid.encode()),
        b"To: <sip:%s@%s>" % (user, aor_domain),
        b"Call-ID: %s" % callid,
        b"CSeq: %d REGISTER" % cseq,
        b"Contact: <sip:%s@%s:%d;transport=%s>" % (
            user, host.encode(), port, transport.lower()),
        b"User-Agent: sipsa-soak/attack",
    ]
    if auth:
        lines.append(b"Authorization: " + auth)
    lines += [b"Content-Length: 0", b"", b""]
    return b"\r\n".join(lines)


def split_messages(buf):
    """Whole messages at the head of buf (bodies skipped), and the rest."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        head = buf[:end]
        m = re.search(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", head,
                      re.I)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return out, buf
        out.append(head)
        buf = buf[total:]


def auth_params(head, scheme=b"NTLM"):
    """The parameters of the first WWW-Authenticate of scheme in head."""
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() != b"www-authenticate":
            continue
        value = value.strip()
        if not value.upper().startswith(scheme + b" "):
            continue
        return {k.lower(): v for k, v in re.findall(
            rb'([A-Za-z-]+)="([^"]*)"', value)}
    return None


def discover(sock, local, aor_domain, transport=b"UDP"):
    """realm and targetname from the server's NTLM challenge."""
    for i in range(10):
        sock.send(request(transport, local, aor_domain, b"probe", i))
        sock.settimeout(1)
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        for head in split_messages(data)[0]:
            p = auth_params(head)
            if p:
                return p.get(b"realm", b""), p.get(b"targetname", b"")
    raise SystemExit("attack.py: no NTLM challenge from the server")


def ntlm_auth(realm, target, gssapi, opaque=None, extra=b""):
    v = b'NTLM qop="auth", realm="%s", targetname="%s", gssapi-data="%s"' \
        b', version=4' % (realm, target, gssapi)
    if opaque:
        v = b'NTLM qop="auth", opaque="%s", realm="%s", targetname="%s", ' \
            b'gssapi-data="%s", version=4' % (opaque, realm, target, gssapi)
    return v + extra


# ---- udp-flood ---------------------------------------------------------

def udp_flood(a):
    srv = hostport(a.server)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((a.source, 0))
    s.connect(srv)
    local = s.getsockname()
    dom = a.aor_domain.encode()
    realm, target = discover(s, local, dom)
    s.setblocking(False)
    leg1 = ntlm_auth(realm, target, b"")
    st = {"kind": "udp-flood", "source": local[0], "sent": 0,
          "sent_no_credentials": 0, "sent_ntlm_first_leg": 0,
          "send_errors": 0, "answers": {}, "answered": 0}
    answers = st["answers"]
    period = 1.0 / a.rate if a.rate > 0 else 0
    t0 = next_status = time.time()
    n = 0
    while not STOP:
        first_leg = n & 1
        msg = request(b"UDP", local, dom, b"flood%d" % (n % 1000), n,
                      auth=leg1 if first_leg else None)
        try:
            s.send(msg)
            st["sent"] += 1
            st["sent_ntlm_first_leg" if first_leg else
               "sent_no_credentials"] += 1
        except BlockingIOError:
            select.select([], [s], [], 0.01)
        except OSError:
            st["send_errors"] += 1
        n += 1
        if n % 32 == 0:
            # Drain what came back, without waiting.
            while True:
                try:
                    data = s.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break
                m = STATUS.match(data)
                code = m.group(1).decode() if m else "other"
                answers[code] = answers.get(code, 0) + 1
                st["answered"] += 1
            now = time.time()
            if now >= next_status:
                st["elapsed_s"] = round(now - t0, 3)
                write_status(a.status, st)
                next_status = now + 1
        if period:
            delay = t0 + n * period - time.time()
            if delay > 0:
                time.sleep(delay)
    st["elapsed_s"] = round(time.time() - t0, 3)
    write_status(a.status, st)


# ---- tcp-flood ---------------------------------------------------------

def unread_answers(c, st):
    """At the end only: the answers waiting in the socket, by status (what
    the server sent before it stopped; the run itself reads nothing)."""
    buf, got = b"", {}
    try:
        while True:
            d = c.recv(1 << 20)
            if not d:
                break
            buf += d
    except OSError:
        pass
    for head in split_messages(buf)[0]:
        m = STATUS.match(head)
        code = m.group(1).decode() if m else "other"
        got[code] = got.get(code, 0) + 1
    st["answers_unread_at_end"] = got


def tcp_flood(a):
    srv = hostport(a.server)
    dom = a.aor_domain.encode()
    st = {"kind": "tcp-flood", "source": a.source, "connections": 0,
          "closed_by_server": 0, "connect_errors": 0, "bytes_sent": 0,
          "requests_sent": 0, "last_send": None}
    t0 = next_status = time.time()
    n = 0
    while not STOP:
        try:
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.bind((a.source, 0))
            c.connect(srv)
        except OSError as e:
            st["connect_errors"] += 1
            st["last_error"] = str(e)
            c.close()
            time.sleep(1)
            continue
        st["connections"] += 1
        local = c.getsockname()
        c.setblocking(False)
        pending = b""
        while not STOP:
            if not pending:
                pending = request(b"TCP", local, dom, b"flood", n)
                n += 1
            now = time.time()
            if now >= next_status:
                st["elapsed_s"] = round(now - t0, 3)
                write_status(a.status, st)
                next_status = now + 1
            try:
                k = c.send(pending)
            except BlockingIOError:
                # The server reads no more for now: wait, but see a close.
                select.select([], [c], [], 1)
                continue
            except OSError as e:
                st["closed_by_server"] += 1
                st["last_error"] = str(e)
                break
            pending = pending[k:]
            st["bytes_sent"] += k
            st["last_send"] = time.time()
            if not pending:
                st["requests_sent"] += 1
        if STOP:
            unread_answers(c, st)
        c.close()
        if not STOP:
            time.sleep(1)
    st["elapsed_s"] = round(time.time() - t0, 3)
    write_status(a.status, st)


# ---- guess: NTLMv2 with a wrong password ------------------------------

def md4(data):
    """MD4 (RFC 1320), which OpenSSL 3 leaves out by default."""
    def rol(x, k):
        x &= 0xffffffff
        return ((x << k) | (x >> (32 - k))) & 0xffffffff
    msg = bytearray(data)
    bits = (8 * len(data)) & 0xffffffffffffffff
    msg.append(0x80)
    while len(msg) % 64 != 56:
        msg.append(0)
    msg += struct.pack("<Q", bits)
    h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        a, b, c, d = h
        for i in range(16):
            k = i
            s = (3, 7, 11, 19)[i % 4]
            a = rol(a + ((b & c) | (~b & d)) + x[k], s)
            a, b, c, d = d, a, b, c
        for i in range(16):
            k = (i % 4) * 4 + i // 4
            s = (3, 5, 9, 13)[i % 4]
            a = rol(a + ((b & c) | (b & d) | (c & d)) + x[k] + 0x5a827999,
                    s)
            a, b, c, d = d, a, b, c
        order = (0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15)
        for i in range(16):
            k = order[i]
            s = (3, 9, 11, 15)[i % 4]
            a = rol(a + (b ^ c ^ d) + x[k] + 0x6ed9eba1, s)
            a, b, c, d = d, a, b, c
        h = [(v + w) & 0xffffffff for v, w in zip(h, (a, b, c, d))]
    return struct.pack("<4I", *h)


def hmac_md5(key, data):
    return hmac.new(key, data, "md5").digest()


def ntlm_authenticate(challenge, user, domain, password):
    """An AUTHENTICATE ([MS-NLMP] 2.2.1.3) answering CHALLENGE with an
    NTLMv2 response (3.3.2) computed from password."""
    if challenge[:8] != b"NTLMSSP\0" or \
            struct.unpack("<I", challenge[8:12])[0] != 2:
        raise ValueError("not an NTLM CHALLENGE")
    flags = struct.unpack("<I", challenge[20:24])[0]
    server_challenge = challenge[24:32]
    ti_len, _, ti_off = struct.unpack("<HHI", challenge[40:48])
    target_info = challenge[ti_off:ti_off + ti_len]
    nt_hash = md4(password.encode("utf-16-le"))
    key = hmac_md5(nt_hash, (user.upper() + domain).encode("utf-16-le"))
    client_challenge = os.urandom(8)
    filetime = int((time.time() + 11644473600) * 10000000)
    temp = (b"\x01\x01" + b"\0" * 6 + struct.pack("<Q", filetime) +
            client_challenge + b"\0" * 4 + target_info + b"\0" * 4)
    proof = hmac_md5(key, server_challenge + temp)
    nt = proof + temp
    lm = b"\0" * 24
    session_key = os.urandom(16) if flags & 0x40000000 else b""
    u = lambda s: s.encode("utf-16-le")     # NEGOTIATE_UNICODE
    fields = [lm, nt, u(domain), u(user), u("SOAK"), session_key]
    head_len = 88       # with Version and MIC
    payload, descr, off = b"", b"", head_len
    for f in fields:
        descr += struct.pack("<HHI", len(f), len(f), off)
        payload += f
        off += len(f)
    version = struct.pack("<BBHxxxB", 10, 0, 19041, 15)
    return (b"NTLMSSP\0" + struct.pack("<I", 3) + descr +
            struct.pack("<I", flags) + version + b"\0" * 16 + payload)


def guess(a):
    srv = hostport(a.server)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.source, 0))
    s.connect(srv)
    local = s.getsockname()
    dom = a.aor_domain.encode()
    realm, target = discover(s, local, dom)
    user = a.user.encode()
    st = {"kind": "guess", "source": local[0], "user": a.user,
          "domain": a.domain, "attempts": 0, "guesses_sent": 0,
          "refused_by_lockout": 0, "refused_at_first_leg": 0,
          "rejected_by_mechanism": 0, "accepted": 0, "timeouts": 0,
          "other": {}, "retry_after_min": None, "retry_after_max": None}
    t0 = time.time()

    def exchange(msg, cseq):
        """The final answer's head to msg (CSeq cseq), None on timeout."""
        s.send(msg)
        deadline = time.time() + a.timeout
        while not STOP:
            left = deadline - time.time()
            if left <= 0:
                return None
            s.settimeout(left)
            try:
                data = s.recv(65536)
            except socket.timeout:
                return None
            except OSError:
                return None
            for head in split_messages(data)[0]:
                m = STATUS.match(head)
                if m and int(m.group(1)) >= 200 and \
                        re.search(rb"\r\nCSeq: *%d " % cseq, head, re.I):
                    return head
        return None

    def refused(head):
        st["refused_by_lockout"] += 1
        m = re.search(rb"\r\nRetry-After: *(\d+)", head, re.I)
        if m:
            ra = int(m.group(1))
            lo, hi = st["retry_after_min"], st["retry_after_max"]
            st["retry_after_min"] = ra if lo is None else min(lo, ra)
            st["retry_after_max"] = ra if hi is None else max(hi, ra)

    def other(what):
        st["other"][what] = st["other"].get(what, 0) + 1

    n = 0
    next_status = 0
    while not STOP:
        now = time.time()
        if now >= next_status:
            st["elapsed_s"] = round(now - t0, 3)
            write_status(a.status, st)
            next_status = now + 1
        n += 1
        st["attempts"] += 1
        callid = b"guess-%010d-%s" % (n, os.urandom(4).hex().encode())
        epid = "%08x" % (n & 0xffffffff)
        head = exchange(request(b"UDP", local, dom, user, n,
                                auth=ntlm_auth(realm, target, b""),
                                cseq=1, callid=callid, epid=epid), 1)
        if head is None:
            st["timeouts"] += 1 if not STOP else 0
            continue
        code = int(STATUS.match(head).group(1))
        p = auth_params(head)
        if code == 503:
            refused(head)
            st["refused_at_first_leg"] += 1
        elif code != 401 or not p or b"opaque" not in p:
            other("first leg %d" % code)
        else:
            tok = ntlm_authenticate(base64.b64decode(p[b"gssapi-data"]),
                                    a.user, a.domain,
                                    "wrong-%d-%s" % (n, os.urandom(4).hex()))
            extra = b', crand="%08x", cnum="1", response="%s"' % (
                n & 0xffffffff, os.urandom(16).hex().encode())
            msg = request(b"UDP", local, dom, user, n, auth=ntlm_auth(
                realm, target, base64.b64encode(tok), p[b"opaque"], extra),
                cseq=2, callid=callid, epid=epid)
            st["guesses_sent"] += 1
            head = exchange(msg, 2)
            if head is None:
                st["timeouts"] += 1 if not STOP else 0
            else:
                code = int(STATUS.match(head).group(1))
                if code == 503:
                    refused(head)
                elif code in (401, 403):
                    st["rejected_by_mechanism"] += 1
                elif code == 200:
                    st["accepted"] += 1
                else:
                    other("authenticate %d" % code)
        if a.interval > 0:
            time.sleep(a.interval)
    st["elapsed_s"] = round(time.time() - t0, 3)
    write_status(a.status, st)


def main():
    ap = argparse.ArgumentParser(
        prog="attack.py", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["udp-flood", "tcp-flood", "guess"])
    ap.add_argument("--server", required=True, help="HOST:PORT")
    ap.add_argument("--source", default="127.0.0.2",
                    help="source address to bind (default 127.0.0.2)")
    ap.add_argument("--status", help="counters as JSON, every second")
    ap.add_argument("--aor-domain", default="example.test")
    ap.add_argument("--rate", type=float, default=0,
                    help="udp-flood: requests a second (0: all it can)")
    ap.add_argument("--user", default="user1", help="guess: the account")
    ap.add_argument("--domain", default="EXAMPLE",
                    help="guess: the NetBIOS domain")
    ap.add_argument("--interval", type=float, default=0,
                    help="guess: pause between attempts, seconds")
    ap.add_argument("--timeout", type=float, default=2,
                    help="guess: wait for an answer, seconds")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    {"udp-flood": udp_flood, "tcp-flood": tcp_flood,
     "guess": guess}[a.mode](a)


if __name__ == "__main__":
    try:
        main()
    except OSError as e:
        if e.errno != errno.EINTR:
            raise
