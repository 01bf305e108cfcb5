# SPDX-License-Identifier: BSD-2-Clause
"""bench/peers.py: the peer benchmark of issue 6; bench/run.sh runs it.

For each server under test: find the highest request rate it sustains for
HOLD seconds with zero failures, its CPU per operation from its own
accounting, its memory, and the p99 latency at half that rate.  Server on
core 0, load generator on core 1 (taskset).

  Kamailio, Digest registrar   loaded by SIPp, bench/sipp/digest-register.xml
  nta-floor (Sofia-SIP alone)  loaded by SIPp, bench/sipp/register.xml
  sipsad, four scenarios       loaded by tools/sipsa-bench (when built)

each over each of --transports (TCP and TLS by default, UDP on request).
Over TCP and TLS the load comes over --connections long-lived connections
(Sipp, SipsaBench --connections; SIPp reaches a TLS server through
stunnel, Stunnel); nta-floor-tls-newconn opens a connection per operation
instead, and the difference of its CPU per operation and nta-floor-tls's
is the server's CPU per TLS handshake (tls_handshake()).

The search (search()): short probes (PROBE s) at rates doubling from
START until one fails or the generator saturates; from the best probe's
CPU per operation the capacity of the busier core, and the first hold
(HOLD s) at FILL of it; a passed first hold is tried a seventh higher
once, a failed one steps down a seventh (or to the rate the generator
kept), at most HOLDS holds.  The result is the highest rate held, to
about a seventh.  Every trial starts a fresh server, so no trial inherits
another's transactions, timers or bindings.

Memory per SA (sa_memory()): sipsad over TCP, sipsa-bench makes SA_COUNT
SAs (each a registered binding), and sipsad's RSS before and after, over
the SAs held.

A trial passes when the generator exits cleanly, every operation completed,
no call failed, no request was retransmitted (on UDP a retransmission means
a request went 500 ms unanswered), the generator kept the asked rate (the
run took at most 10 % + 1 s longer than planned) and the server is still
alive under its memory cap.

CPU per operation: utime + stime of the server's processes (/proc/PID/stat,
summed over the process tree: Kamailio forks workers and timers) sampled
every 50 ms, interpolated at the generator's per-second statistics rows,
over the steady window (from the third row to the last but one), divided by
the operations completed in that window.  Memory: the largest RSS and PSS
(summed over the tree; PSS counts Kamailio's shared memory once) seen
during the run.  Latency: SIPp's response time 1 per operation
(-trace_rtt), which SIPp 3.6 takes from a millisecond clock.
"""

import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import signal
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PASSWORD = "bench-secret"
SERVER_CPU, GEN_CPU = "0", "1"
UDP_BUF = 16 << 20      # receive buffers: ride out a scheduling stall


def log(msg):
    print("run.sh: " + msg, file=sys.stderr, flush=True)


def free_port():
    """A UDP and TCP port free on 127.0.0.1 right now."""
    while True:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()


# ---- process accounting ------------------------------------------------

def children_of():
    """Map of parent pid -> child pids, from /proc."""
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    kids = children_of()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_ticks(pid):
    """utime + stime of one process, in clock ticks; None once gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return None
    fields = st[st.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def udp_rcvbuf_errors():
    """Datagrams the kernel dropped for a full receive buffer, machine-wide
    (/proc/net/snmp): tells a drop from a slow answer in a failed trial."""
    with open("/proc/net/snmp") as f:
        rows = [ln.split() for ln in f if ln.startswith("Udp:")]
    return int(rows[1][rows[0].index("RcvbufErrors")])


RMEM = ("/proc/sys/net/core/rmem_default", "/proc/sys/net/core/rmem_max")


def udp_buffers(size, restore=None):
    """Sets the default and maximal socket receive buffer to size for the
    run (every server and generator gets the same), returning the old
    values; with restore, puts those back.  A load test on one machine
    stalls now and then (other processes, timers): with the kernel's
    200 KB default a stall of a few milliseconds overflows a UDP socket,
    and the drop would count as the server's failure."""
    try:
        if restore:
            for path, v in zip(RMEM, restore):
                with open(path, "w") as f:
                    f.write(v)
            return None
        old = []
        for path in RMEM:
            with open(path) as f:
                old.append(f.read().strip())
        for path, v in zip(RMEM, old):
            with open(path, "w") as f:
                f.write(str(max(size, int(v))))
        return old
    except OSError:
        return None


def rss_pss(pid):
    """(RSS, PSS) in bytes from smaps_rollup; (0, 0) once gone."""
    rss = pss = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


class Sampler(threading.Thread):
    """Samples a server's CPU and memory (and the generator's CPU) every
    50 ms with the wall-clock time, until stopped."""

    def __init__(self, pids, gen_pid, port=None):
        super().__init__(daemon=True)
        self.pids = pids
        # The generator's processes: SIPp, and stunnel with it over TLS.
        self.gen_pids = gen_pid if isinstance(gen_pid, list) else \
            [gen_pid] if gen_pid else []
        self.port = port
        self.conns = None       # most TCP connections to port seen
        self.samples = []       # (time, server ticks, generator ticks)
        self.max_rss = self.max_pss = 0
        self.halt = threading.Event()

    def snap(self):
        now = time.time()
        srv = sum(cpu_ticks(p) or 0 for p in self.pids)
        gen = sum(cpu_ticks(p) or 0 for p in self.gen_pids)
        self.samples.append((now, srv, gen))

    def run(self):
        n = 0
        while not self.halt.is_set():
            self.snap()
            if self.port and n % 40 == 20:      # every 2 s, from 1 s
                c = established(self.port)
                self.conns = max(self.conns or 0, c)
            if n % 10 == 0:
                rss = pss = 0
                for p in self.pids:
                    r, q = rss_pss(p)
                    rss, pss = rss + r, pss + q
                self.max_rss = max(self.max_rss, rss)
                self.max_pss = max(self.max_pss, pss)
            n += 1
            self.halt.wait(0.05)
        self.snap()

    def at(self, t, idx):
        """Ticks of series idx (1 server, 2 generator), interpolated at t."""
        s = self.samples
        for a, b in zip(s, s[1:]):
            if a[0] <= t <= b[0]:
                if b[0] == a[0]:
                    return a[idx]
                f = (t - a[0]) / (b[0] - a[0])
                return a[idx] + f * (b[idx] - a[idx])
        return s[0][idx] if t < s[0][0] else s[-1][idx]


def established(port):
    """TCP connections established to port on this machine (ss), the
    server's side of each: how many connections a trial holds."""
    out = subprocess.run(["ss", "-Htn", "state", "established",
                          "( sport = :%d )" % port], capture_output=True,
                         text=True)
    return len([ln for ln in out.stdout.splitlines() if ln.strip()])


# ---- latency on the wire ---------------------------------------------------

class Capture:
    """tcpdump on lo for the server's port, during the half-rate trial:
    the time from each request on the wire to its final response on the
    wire (kernel timestamps, microseconds), the same for every server and
    every load generator.  Retransmitted requests keep their first time;
    provisional responses are skipped.  Over TCP each direction of each
    connection is put back together as a byte stream and cut into SIP
    messages by Content-Length (a segment may carry several messages, or
    part of one); a message's time is that of the segment that completes
    it.  Packets the capture cut short or lost end their stream's account
    until a segment starts with a new message."""

    CALLID = re.compile(rb"\r\n(?:call-id|i)[ \t]*:[ \t]*([^\r\n]+)",
                        re.I)
    CSEQ = re.compile(rb"\r\ncseq[ \t]*:[ \t]*([^\r\n]+)", re.I)

    CLEN = re.compile(rb"\r\n(?:content-length|l)[ \t]*:[ \t]*(\d+)", re.I)
    START = re.compile(rb"^(?:SIP/2\.0 \d|[A-Z]+ [^ \r\n]+ SIP/2\.0\r\n)")

    def __init__(self, work, port, transport="udp"):
        self.path = os.path.join(work, "half.pcap")
        self.port = port
        self.tcp = transport == "tcp"
        self.err = open(os.path.join(work, "tcpdump.err"), "wb")
        self.proc = subprocess.Popen(
            ["taskset", "-c", GEN_CPU, "tcpdump", "-i", "lo", "-n", "-Z",
             "root", "-s", "0" if self.tcp else "2048", "-B", "65536",
             "-w", self.path, "%s and port %d" % (
                 "tcp" if self.tcp else "udp", port)],
            stdout=subprocess.DEVNULL,
            stderr=self.err, stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline and self.proc.poll() is None:
            with open(self.err.name, "rb") as f:
                if b"listening on" in f.read():
                    break
            time.sleep(0.05)

    def stop(self):
        """Stops tcpdump; returns the sorted latencies in ms and the number
        of packets the capture itself dropped."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.proc.wait()
        self.err.close()
        with open(self.err.name, "rb") as f:
            m = re.search(rb"(\d+) packets? dropped by kernel", f.read())
        return self.latencies(), int(m.group(1)) if m else None

    def latencies(self):
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except OSError:
            return []
        if len(data) < 24:
            return []
        magic = struct.unpack("<I", data[:4])[0]
        endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
        scale = 1e-9 if magic in (0xa1b23c4d, 0x4d3cb2a1) else 1e-6
        link = struct.unpack(endian + "I", data[20:24])[0]
        l2 = {1: 14, 113: 16, 276: 20}.get(link, 14)
        sent, out, off = {}, [], 24
        streams = {}    # (sport, dport) -> bytes not yet a whole message
        while off + 16 <= len(data):
            sec, frac, incl, orig = struct.unpack(endian + "IIII",
                                                  data[off:off + 16])
            pkt = data[off + 16:off + 16 + incl]
            off += 16 + incl
            ts = sec + frac * scale
            ip = pkt[l2:]
            if len(ip) < 20 or ip[0] >> 4 != 4:
                continue
            l4 = ip[(ip[0] & 15) * 4:]
            sport, dport = struct.unpack(">HH", l4[:4])
            if not self.tcp:
                msgs = [l4[8:]]
            else:
                payload = l4[(l4[12] >> 4) * 4:]
                msgs = self.reassemble(streams, (sport, dport), payload,
                                       incl < orig)
            for sip in msgs:
                self.match(sip, ts, sport, dport, sent, out)
        return sorted(out)

    def reassemble(self, streams, key, payload, cut):
        """Appends a TCP segment to its stream; returns the whole SIP
        messages it completes."""
        buf = streams.get(key)
        if cut:
            streams[key] = None         # lost: wait for a message start
            return []
        if buf is None:
            if not self.START.match(payload):
                return []
            buf = b""
        buf += payload
        msgs = []
        while True:
            # CRLF keep-alives between messages.
            buf = buf.lstrip(b"\r\n")
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            m = self.CLEN.search(buf[:end + 2])
            size = end + 4 + (int(m.group(1)) if m else 0)
            if len(buf) < size:
                break
            msgs.append(buf[:size])
            buf = buf[size:]
        streams[key] = buf
        return msgs

    def match(self, sip, ts, sport, dport, sent, out):
        a, b = self.CALLID.search(sip), self.CSEQ.search(sip)
        if not a or not b:
            return
        key = (a.group(1).strip(), b.group(1).strip())
        if dport == self.port and not sip.startswith(b"SIP/2.0"):
            sent.setdefault(key, ts)
        elif sport == self.port and sip.startswith(b"SIP/2.0 "):
            if sip[8:9] == b"1":
                return
            t0 = sent.pop(key, None)
            if t0 is not None:
                out.append((ts - t0) * 1000.0)


# ---- servers ---------------------------------------------------------------

class Pki:
    """A throwaway CA and a server certificate signed by it (ECDSA P-256,
    for 127.0.0.1 and proxy.example.test), made once per run in the run's
    directory and used by every TLS server: Kamailio (tls.cfg), nta-floor
    and sipsad.  ECDSA, not RSA: with a 2048-bit RSA key a single worker
    signing 1,000 handshakes a second falls behind while thousands of
    clients connect at once."""

    NAME = "proxy.example.test"

    def __init__(self, work):
        self.dir = os.path.join(work, "pki")
        os.makedirs(self.dir, exist_ok=True)
        d = self.dir
        self.ca = os.path.join(d, "ca.pem")
        self.key = os.path.join(d, "server.key")
        self.cert = os.path.join(d, "server.pem")

        def ossl(*args):
            subprocess.run(["openssl"] + list(args), check=True,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes"]
        ossl("req", "-x509", *ec, "-keyout", os.path.join(d, "ca.key"),
             "-out", self.ca, "-days", "2", "-subj", "/CN=sipsa bench CA")
        ossl("req", *ec, "-keyout", self.key, "-out",
             os.path.join(d, "server.csr"), "-subj", "/CN=" + self.NAME)
        with open(os.path.join(d, "ext"), "w") as f:
            f.write("subjectAltName=DNS:%s,IP:127.0.0.1\n" % self.NAME)
        ossl("x509", "-req", "-in", os.path.join(d, "server.csr"), "-CA",
             self.ca, "-CAkey", os.path.join(d, "ca.key"),
             "-CAcreateserial", "-out", self.cert, "-days", "2",
             "-extfile", os.path.join(d, "ext"))
        # Sofia's tport reads DIR/agent.pem (key and chain) and
        # DIR/cafile.pem.
        with open(os.path.join(d, "agent.pem"), "w") as f:
            for x in (self.key, self.cert):
                with open(x) as g:
                    f.write(g.read())
        shutil.copy(self.ca, os.path.join(d, "cafile.pem"))
        self.kamailio_cfg = os.path.join(d, "tls.cfg")
        with open(self.kamailio_cfg, "w") as f:
            f.write("[server:default]\nmethod = TLSv1.2+\n"
                    "verify_certificate = no\nrequire_certificate = no\n"
                    "private_key = %s\ncertificate = %s\n" % (self.key,
                                                              self.cert))


def named(base, transport):
    """A row's name: the UDP rows keep their old names."""
    return base if transport == "udp" else "%s-%s" % (base, transport)


class Server:
    name = "?"
    op = "?"
    mem_cap = 8 << 30       # a trial over this is a failure, and stops
    transport = "udp"

    def __init__(self, work):
        self.work = work
        self.proc = None
        self.port = None
        self.log = None

    def command(self):
        raise NotImplementedError

    def ready(self):
        return True

    def start(self):
        self.port = free_port()
        self.log = open(os.path.join(self.work, self.name + ".log"), "ab")
        argv = ["taskset", "-c", SERVER_CPU] + self.command()
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=self.env())
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start (see %s.log)" %
                                   (self.name, self.name))
            if self.listening() and self.ready():
                time.sleep(0.3)     # let forked workers settle
                return
            time.sleep(0.05)
        raise RuntimeError("%s did not listen within 30 s" % self.name)

    def env(self):
        return os.environ.copy()

    def listening(self):
        if self.transport != "udp":
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return True
            except OSError:
                return False
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("127.0.0.1", self.port))
            return False
        except OSError:
            return True
        finally:
            s.close()

    def pids(self):
        return tree(self.proc.pid)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        pids = self.pids()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        # Whatever of the tree outlived SIGTERM, by pid.
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.wait()
        self.proc = None
        self.log.close()


class Kamailio(Server):
    op = "Digest registration (REGISTER, 401, REGISTER, 200)"
    scenario = "digest-register.xml"
    load = "SIPp"

    def __init__(self, work, transport="udp", pki=None):
        super().__init__(work)
        self.transport, self.pki = transport, pki
        self.name = named("kamailio", transport)

    def command(self):
        cfg = os.path.join(HERE, "kamailio", "kamailio.cfg")
        cmd = ["kamailio", "-f", cfg, "-DD", "-E",
               "-l", "%s:127.0.0.1:%d" % (self.transport, self.port),
               "-n", "1", "-x", "tlsf", "-m", "512", "-M", "16",
               "-A", 'BENCH_PASSWORD="%s"' % PASSWORD,
               "-P", os.path.join(self.work, "kamailio.pid")]
        if self.transport == "udp":
            cmd += ["-b", str(UDP_BUF)]
        else:
            cmd += ["-A", "WITH_TCP"]
        if self.transport == "tls":
            cmd += ["-A", "WITH_TLS",
                    "-A", 'BENCH_TLS_CFG="%s"' % self.pki.kamailio_cfg]
        return cmd


class NtaFloor(Server):
    op = "REGISTER, 200"
    scenario = "register.xml"
    load = "SIPp"

    def __init__(self, work, binary, stateless=False, transport="udp",
                 pki=None, name=None):
        super().__init__(work)
        self.binary = binary
        self.stateless = stateless
        self.transport, self.pki = transport, pki
        self.name = name or named(
            "nta-floor-stateless" if stateless else "nta-floor", transport)

    def command(self):
        return [self.binary, "-p", str(self.port), "-t", self.transport] + \
            (["-c", self.pki.dir] if self.transport == "tls" else []) + \
            (["-s"] if self.stateless else [])


# ---- load generators -----------------------------------------------------

class Trial:
    """What one run at one rate gave."""

    def __init__(self, rate, hold):
        self.rate, self.hold = rate, hold
        self.ok = False
        self.why = ""
        self.completed = self.failed = self.retrans = 0
        self.elapsed = 0.0
        self.cpu_us_per_op = None
        self.gen_busy = None
        self.window_rate = None
        self.max_rss = self.max_pss = 0
        self.latencies = None
        self.wire = None
        self.wire_dropped = None
        self.rcvbuf_errors = 0
        self.connections = None

    def summary(self):
        return {"rate": self.rate, "hold_s": self.hold, "pass": self.ok,
                "why": self.why, "completed": self.completed,
                "failed": self.failed, "retransmissions": self.retrans,
                "elapsed_s": round(self.elapsed, 2),
                "window_rate": round(self.window_rate, 1)
                if self.window_rate else None,
                "server_cpu_us_per_op": round(self.cpu_us_per_op, 2)
                if self.cpu_us_per_op else None,
                "generator_busy": round(self.gen_busy, 3)
                if self.gen_busy is not None else None,
                "server_rss_bytes": self.max_rss,
                "server_pss_bytes": self.max_pss,
                "udp_rcvbuf_errors": self.rcvbuf_errors,
                "connections": self.connections}


def steady_window(rows, sampler, trial):
    """rows: (time, cumulative completed ops).  Fills the trial's CPU per
    op, window rate and generator load from the steady window."""
    if len(rows) < 5:
        # A short run: all of it, from its first row if that is its
        # start (sipsa-bench writes one once its set-up is done), else
        # from the first sample.
        if not rows or rows[0][1] > 0:
            rows = [(sampler.samples[0][0], 0)] + rows
        a, b = rows[0], rows[-1]
    else:
        a, b = rows[2], rows[-2]
    ops = b[1] - a[1]
    span = b[0] - a[0]
    if ops <= 0 or span <= 0:
        return
    srv = sampler.at(b[0], 1) - sampler.at(a[0], 1)
    gen = sampler.at(b[0], 2) - sampler.at(a[0], 2)
    trial.cpu_us_per_op = srv / CLK_TCK * 1e6 / ops
    trial.window_rate = ops / span
    trial.gen_busy = gen / CLK_TCK / span


class Stunnel:
    """SIPp has no TLS (Debian builds it without OpenSSL): over TLS it
    speaks TCP to stunnel in client mode on the generator's core, which
    opens one TLS connection to the server for each TCP connection SIPp
    opens, with the run's CA checked and no session resumption (so a new
    connection is a full handshake), TCP_NODELAY on both sides."""

    def __init__(self, work, server_port, pki):
        self.port = free_port()
        conf = os.path.join(work, "stunnel.conf")
        with open(conf, "w") as f:
            f.write("foreground = yes\npid =\ndebug = 3\noutput = %s\n"
                    "[sip]\nclient = yes\naccept = 127.0.0.1:%d\n"
                    "connect = 127.0.0.1:%d\nCAfile = %s\n"
                    "verifyChain = yes\ncheckHost = %s\n"
                    "sessionResume = no\n"
                    # Without, Nagle and the delayed ACK hold a small
                    # message about 40 ms.
                    "socket = l:TCP_NODELAY=1\n"
                    "socket = r:TCP_NODELAY=1\n" % (
                        os.path.join(work, "stunnel.log"), self.port,
                        server_port, pki.ca, Pki.NAME))
        self.proc = subprocess.Popen(
            ["taskset", "-c", GEN_CPU, "stunnel", conf],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port),
                                         1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("stunnel did not listen (see stunnel.log)")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Sipp:
    """SIPp.  Over UDP one socket for all calls, a call per operation.
    Over TCP and TLS (through Stunnel), CONNS long-lived connections, as
    softphones hold them: one call per connection (-t tn), each call
    looping its operation (bench/sipp/*-loop.xml) at a pause that makes
    the rate, the calls started RAMP a second; the operations are counted
    from -trace_rtt (one sample each).  A server with newconn set gets the
    plain scenario over -t tn instead: SIPp closes a call's connection when
    the call ends, so every operation opens (and over TLS handshakes) a
    connection of its own."""
    name = "SIPp"

    def __init__(self, work, users, conns=2000, ramp=1000, pki=None):
        self.work = work
        self.conns, self.ramp, self.pki = conns, ramp, pki
        self.csv = os.path.join(work, "users.csv")
        with open(self.csv, "w") as f:
            f.write("SEQUENTIAL\n")
            for i in range(1, users + 1):
                f.write("user%d;bench.sipsa;[authentication username="
                        "user%d password=%s]\n" % (i, i, PASSWORD))

    def command(self, server, rate, count, port, rtt, scenario=None,
                target=None, calls=None):
        cmd = ["sipp", "127.0.0.1:%d" % (target or server.port),
               "-sf", scenario or os.path.join(HERE, "sipp",
                                               server.scenario),
               "-inf", self.csv, "-i", "127.0.0.1", "-p", str(port),
               "-r", str(rate), "-m", str(count), "-recv_timeout", "5000",
               "-buff_size", str(UDP_BUF),
               "-nostdin", "-trace_stat", "-fd", "1", "-stf",
               os.path.join(self.work, "stat.csv"), "-trace_err",
               "-error_file", os.path.join(self.work, "sipp-errors.log")]
        if server.transport != "udp":
            cmd += ["-t", "tn", "-max_socket",
                    str((calls or self.conns) + 16)]
        if calls:
            cmd += ["-l", str(calls), "-trace_rtt", "-rtt_freq", "1000"]
        if rtt and not calls:
            # A 1 ms scheduler tick, so SIPp's own lag adds less.
            cmd += ["-trace_rtt", "-rtt_freq", "1000", "-timer_resol", "1"]
        return cmd

    def loop_scenario(self, server, rate, hold):
        """The looping scenario for rate over hold seconds: (path, calls,
        loops per call, seconds of ramp).  At least two operations per
        connection, so at low rates fewer connections."""
        calls = max(1, min(self.conns, int(rate * hold / 2)))
        loops = max(2, int(round(rate * hold / calls)))
        # Each call lasts the hold (its last pause included), so the
        # trial's plan is the ramp and the hold.
        pause = int(round(1000.0 * hold / loops))
        path = self.scenario(server, server.scenario.replace(
            ".xml", "-loop.xml"), {"@LOOPS@": str(loops),
                                   "@PAUSE@": str(pause)})
        # Connections come no faster than the operations: each call's
        # first operation is at its start.
        return path, calls, loops, calls / float(min(self.ramp, rate))

    def scenario(self, server, name, subst):
        """bench/sipp/NAME with subst made, written to the run's
        directory.  Over TLS the Via says TLS: SIPp, speaking TCP to
        stunnel, would say TCP, which nta refuses on a TLS connection."""
        with open(os.path.join(HERE, "sipp", name)) as f:
            text = f.read()
        if server.transport == "tls":
            subst = dict(subst)
            subst["SIP/2.0/[transport]"] = "SIP/2.0/TLS"
        for k, v in subst.items():
            text = text.replace(k, v)
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run(self, server, rate, hold, rtt=False):
        t = Trial(rate, hold)
        stat = os.path.join(self.work, "stat.csv")
        for f in os.listdir(self.work):
            if f.endswith("_rtt.csv") or f == "stat.csv":
                os.unlink(os.path.join(self.work, f))
        count = int(rate * hold)
        scen, calls, ramp = None, None, 0.0
        looped = server.transport != "udp" and not getattr(
            server, "newconn", False)
        if looped:
            scen, calls, loops, ramp = self.loop_scenario(server, rate, hold)
            count = calls * loops
        elif server.transport == "tls":
            scen = self.scenario(server, server.scenario, {})
        tunnel = Stunnel(self.work, server.port, self.pki) \
            if server.transport == "tls" else None
        try:
            return self.sipp(server, rate, hold, rtt, t, stat, count, scen,
                             calls, ramp, looped, tunnel)
        finally:
            if tunnel:
                tunnel.stop()

    def sipp(self, server, rate, hold, rtt, t, stat, count, scen, calls,
             ramp, looped, tunnel):
        argv = ["taskset", "-c", GEN_CPU] + self.command(
            server, min(self.ramp, rate, calls) if looped else rate,
            calls if looped else count, free_port(), rtt, scen,
            tunnel.port if tunnel else None, calls)
        self.argv = argv
        pids = server.pids()
        start = time.time()
        out = open(os.path.join(self.work, "sipp.out"), "wb")
        gen = subprocess.Popen(argv, cwd=self.work, stdout=out,
                               stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL)
        smp = Sampler(pids, [gen.pid] + ([tunnel.proc.pid] if tunnel
                                         else []),
                      server.port if server.transport != "udp" else None)
        smp.start()
        hold += ramp        # the planned time: the ramp, then the hold
        limit = hold * 1.1 + 15     # recv_timeout, then give up
        over_mem = False
        while gen.poll() is None:
            if time.time() - start > limit:
                gen.kill()
                t.why = "generator did not finish"
            if smp.max_rss > server.mem_cap:
                over_mem = True
                gen.kill()
            time.sleep(0.1)
        t.elapsed = time.time() - start
        smp.halt.set()
        smp.join()
        out.close()
        t.connections = smp.conns
        t.max_rss, t.max_pss = smp.max_rss, smp.max_pss
        rows = self.stat_rows(stat)
        if rows:
            last = rows[-1][2]
            t.completed = last.get("SuccessfulCall(C)", 0)
            t.failed = last.get("FailedCall(C)", 0)
            t.retrans = last.get("Retransmissions(C)", 0)
            unexp = last.get("DeadCallMsgs(C)", 0) + \
                last.get("OutOfCallMsgs(C)", 0)
            if looped:
                # Operations, not calls: one rtt sample each, counted
                # per second from the end of the ramp on.
                t0 = rows[0][2].get("StartTime", rows[0][0])
                ops = sorted(t0 + v for v in self.rtt_times())
                # SIPp writes the samples 1000 at a time and not the
                # last ones: a call that succeeded did all its loops.
                t.completed = count if t.completed == calls else len(ops)
                rows = self.per_second(ops, t0 + ramp)
                steady_window(rows, smp, t)
            else:
                steady_window([(r[0], r[1]) for r in rows], smp, t)
        else:
            unexp = 0
        if rtt:
            t.latencies = self.rtts()
        if t.why:
            pass
        elif over_mem:
            t.why = "server RSS over %d MiB" % (server.mem_cap >> 20)
        elif not server.alive():
            t.why = "server died"
        elif gen.returncode != 0 or t.failed:
            t.why = "%d failed calls (sipp exit %d)" % (t.failed,
                                                       gen.returncode)
        elif t.completed != count:
            t.why = "%d of %d completed" % (t.completed, count)
        elif t.retrans or unexp:
            t.why = "%d retransmissions, %d stray messages" % (t.retrans,
                                                              unexp)
        elif t.elapsed > hold * 1.1 + 1:
            t.why = "generator fell behind (%.1f s for %d s)" % (t.elapsed,
                                                                hold)
        else:
            t.ok = True
        return t

    @staticmethod
    def stat_rows(path):
        """(epoch, SuccessfulCall(C), row dict) per statistics row."""
        try:
            with open(path) as f:
                lines = [ln.rstrip("\n") for ln in f if ln.strip()]
        except OSError:
            return []
        if len(lines) < 2:
            return []
        head = lines[0].split(";")
        rows = []
        for ln in lines[1:]:
            v = ln.split(";")
            d = {}
            for k, x in zip(head, v):
                if k.endswith("(C)") or k.endswith("(P)"):
                    try:
                        d[k] = int(x)
                    except ValueError:
                        pass
            # CurrentTime is "date<TAB>time<TAB>epoch".
            epoch = float(v[head.index("CurrentTime")].split("\t")[-1])
            d["StartTime"] = float(v[head.index("StartTime")].split(
                "\t")[-1])
            rows.append((epoch, d.get("SuccessfulCall(C)", 0), d))
        return rows

    def rtt_samples(self, col):
        """Column col of every response time 1 sample of -trace_rtt: 0,
        when it ended (ms from SIPp's start); 1, the time itself (ms)."""
        vals = []
        for f in os.listdir(self.work):
            if f.endswith("_rtt.csv"):
                with open(os.path.join(self.work, f)) as fh:
                    next(fh, None)
                    for ln in fh:
                        p = ln.split(";")
                        if len(p) >= 3 and p[2].strip() == "1":
                            vals.append(float(p[col]))
        return vals

    def rtt_times(self):
        """When each operation ended, in seconds from SIPp's start."""
        return [v / 1000.0 for v in self.rtt_samples(0)]

    @staticmethod
    def per_second(ops, since):
        """(time, operations completed by then) each second from since
        to the last operation: the rows steady_window() wants."""
        rows, i, t = [], 0, since
        if not ops:
            return rows
        while t <= ops[-1] + 1:
            while i < len(ops) and ops[i] <= t:
                i += 1
            rows.append((t, i))
            t += 1.0
        return rows

    def rtts(self):
        return sorted(self.rtt_samples(1))      # ms


# ---- sipsad and sipsa-bench (the hook) -------------------------------------
#
# When tools/sipsa-bench is built, run.sh brings up a throwaway realm
# (scripts/sipsa-realm) and sipsad on core 0 and calls the tool once per
# trial through SipsaBench.command(); the interface assumed is in
# bench/README.md ("The peer benchmark").  In the message scenario the tool
# plays caller and callee both, so it spends about what sipsad spends.

SIPSAD_SCENARIOS = ["ntlm", "kerberos", "refresh", "message"]
SIPSAD_OPS = {"ntlm": "NTLM handshake + signed REGISTER",
              "kerberos": "Kerberos handshake + signed REGISTER",
              "refresh": "signed REGISTER refresh on an SA",
              "message": "signed MESSAGE between registered users"}


class Sipsad(Server):
    load = "sipsa-bench"

    def __init__(self, work, binary, scenario, realm, transport="udp",
                 endpoints_per_user=8, name=None, pki=None):
        super().__init__(work)
        self.binary = binary
        self.scenario = scenario
        self.realm = realm
        self.transport = transport
        self.pki = pki
        self.epu = endpoints_per_user
        self.name = name or named("sipsad-" + scenario, transport)
        self.op = SIPSAD_OPS.get(scenario, scenario)

    def command(self):
        conf = os.path.join(self.work, "sipsa.conf")
        state = os.path.join(self.work, "state")
        # A fresh binding store per start: no trial inherits bindings.
        shutil.rmtree(state, ignore_errors=True)
        os.makedirs(state, mode=0o700)
        with open(conf, "w") as f:
            f.write("""# written by bench/run.sh
server {
	fqdn proxy.example.test
	state-dir "%s"
}
listen %s 127.0.0.1 %d {
	role registrar%s
}
# Every generated connection comes from 127.0.0.1: the per-source cap
# (1000 by default) would close the generator's connections past it.
connections {
	per-source 100000
	total 100000
}
auth {
	schemes kerberos ntlm
	kerberos {
		keytab "%s/sip.keytab"
	}
	ntlm {
		users file "%s/ntlm_users.smbpasswd"
	}
}
registrar {
	sync none
	endpoints-per-user %d
}
# Every generated endpoint comes from one address: no per-source
# handshake rate, and failures never block it.
guard {
	handshake-rate 0
	source-failures 1000000
}
log {
	target stderr
	level notice
}
""" % (state, self.transport, self.port,
       '\n\tcertificate "%s"\n\tkey "%s"' % (self.pki.cert, self.pki.key)
       if self.transport == "tls" else "", self.realm, self.realm,
       self.epu))
        return [self.binary, "-D", "-f", conf]

    def ready(self):
        self.log.flush()
        with open(os.path.join(self.work, self.name + ".log"), "rb") as f:
            return b"started" in f.read()


class SipsaBench:
    name = "sipsa-bench"

    def __init__(self, work, binary, realm, users, conns=1, pki=None):
        self.work, self.binary = work, binary
        self.realm, self.users = realm, users
        self.conns, self.pki = conns, pki

    def command(self, server, rate, hold, progress):
        tp = getattr(server, "transport", "udp")
        cmd = [self.binary, "--scenario", server.scenario,
               "--server", "%s:127.0.0.1:%d" % (tp, server.port),
               "--realm-dir", self.realm, "--users", str(self.users),
               "--rate", str(rate), "--duration", str(hold),
               "--progress", progress, "--json"]
        if tp != "udp" and self.conns > 1:
            # Endpoints enough for a connection each, spread over them.
            cmd += ["--epids", str(-(-self.conns // self.users)),
                    "--connections", str(self.conns)]
        if tp == "tls":
            cmd += ["--ca-file", self.pki.ca, "--tls-name", Pki.NAME]
        return cmd

    def run(self, server, rate, hold, rtt=False):
        t = Trial(rate, hold)
        progress = os.path.join(self.work, "progress.txt")
        if os.path.exists(progress):
            os.unlink(progress)
        argv = ["taskset", "-c", GEN_CPU] + \
            self.command(server, rate, hold, progress)
        self.argv = argv
        start = time.time()
        gen = subprocess.Popen(argv, stdout=subprocess.PIPE,
                               stderr=open(os.path.join(self.work,
                                                        "sipsa-bench.err"),
                                           "ab"),
                               stdin=subprocess.DEVNULL)
        smp = Sampler(server.pids(), gen.pid,
                      server.port if getattr(server, "transport", "udp") !=
                      "udp" else None)
        smp.start()
        try:
            out, _ = gen.communicate(timeout=hold * 1.1 + 30)
        except subprocess.TimeoutExpired:
            gen.kill()
            out, _ = gen.communicate()
            t.why = "generator did not finish"
        t.elapsed = time.time() - start
        smp.halt.set()
        smp.join()
        t.connections = smp.conns
        t.max_rss, t.max_pss = smp.max_rss, smp.max_pss
        try:
            res = json.loads(out)
        except ValueError:
            res = {}
            t.why = t.why or "no JSON from sipsa-bench"
        # Tickets (kerberos) and the SAs a refresh or message run starts
        # from are made before the run; only the run must keep to the
        # schedule.
        t.elapsed -= float(res.get("setup_s", 0))
        t.completed = int(res.get("completed", 0))
        fails = res.get("failures", {})
        t.failed = sum(fails.values()) if isinstance(fails, dict) \
            else int(fails or 0)
        rows = []
        try:
            with open(progress) as f:
                for ln in f:
                    p = ln.split()
                    if len(p) >= 2:
                        rows.append((float(p[0]), int(p[1])))
        except OSError:
            pass
        if not rows:    # no progress file: the whole run is the window
            rows = [(start, 0), (start + t.elapsed, t.completed)]
        steady_window(rows, smp, t)
        lat = res.get("latency_ms", {})
        if rtt and lat:
            t.latencies = lat
        if t.why:
            pass
        elif not server.alive():
            t.why = "server died"
        elif gen.returncode != 0 or t.failed:
            t.why = "%d failures (exit %d)" % (t.failed, gen.returncode)
        elif t.completed < 0.99 * rate * hold:
            t.why = "%d of %d completed" % (t.completed, rate * hold)
        elif t.elapsed > hold * 1.1 + 1:
            t.why = "generator fell behind"
        else:
            t.ok = True
        return t


# ---- the search ------------------------------------------------------------

def trial(server, gen, rate, hold, rtt=False):
    server.start()
    cap = None
    try:
        # Over TLS the wire is encrypted: the generator's figure only.
        tp = getattr(server, "transport", "udp")
        if rtt and tp != "tls" and shutil.which("tcpdump"):
            cap = Capture(gen.work, server.port, tp)
        drops = udp_rcvbuf_errors()
        t = gen.run(server, rate, hold, rtt)
        t.rcvbuf_errors = udp_rcvbuf_errors() - drops
        t.server_argv, t.gen_argv = server.argv, gen.argv
        if cap:
            t.wire, t.wire_dropped = cap.stop()
            cap = None
    finally:
        if cap:
            cap.stop()
        server.stop()
    log("  %-20s %6d/s %3d s: %s%s%s%s" % (
        server.name, rate, hold, "pass" if t.ok else "FAIL " + t.why,
        " (%d UDP drops)" % t.rcvbuf_errors if t.rcvbuf_errors else "",
        " (%d connections)" % t.connections if t.connections else "",
        "  (%.1f us/op, generator %.0f %%)" % (
            t.cpu_us_per_op, 100 * t.gen_busy)
        if t.cpu_us_per_op and t.gen_busy is not None else ""))
    return t


def capacity(t):
    """The rate a trial says its bottleneck core could carry: one core's
    worth of the server's CPU per operation, or the rate over the share of
    its core the generator used; None without figures."""
    caps = []
    if t.cpu_us_per_op:
        caps.append(1e6 / t.cpu_us_per_op)
    if t.gen_busy:
        caps.append((t.window_rate or t.rate) / t.gen_busy)
    return min(caps) if caps else None


def round_rate(r):
    """Two significant digits (at least 25/s): rates a reader can repeat."""
    if r < 25:
        return 25
    mag = 10 ** max(0, int(math.floor(math.log10(r))) - 1)
    return int(r // mag * mag)


def search(server, gen, a):
    """Probes of PROBE s at rates doubling from START until one fails or
    the generator saturates; the first hold at FILL of the capacity the
    best probe's costs predict (never above the failed probe); a passed
    first hold is tried once a seventh higher, a failed hold steps down to
    the rate the generator kept or by a seventh, whichever is lower; at
    most HOLDS holds per row.  A 20 s hold sees costs a 4 s probe does
    not (nta keeps every UDP transaction 32 s, so its tables are still
    growing), which is why the probes only aim the holds."""
    trials = []

    def go(rate, hold, rtt=False):
        t = trial(server, gen, rate, hold, rtt)
        trials.append(t)
        return t

    best_probe, fail = None, None
    rate = a.start
    while rate <= a.max_rate:
        t = go(rate, a.probe)
        if not t.ok:
            fail = t
            break
        best_probe = t
        if t.gen_busy is not None and t.gen_busy > 0.9:
            break
        rate *= 2
    # Slower than the start: halve until a probe passes (down to 25/s).
    while (best_probe is None and fail is not None and
           fail.rate // 2 >= 25):
        t = go(fail.rate // 2, a.probe)
        if t.ok:
            best_probe = t
        else:
            fail = t
    if best_probe is None:
        return None, trials
    est = capacity(best_probe) or best_probe.rate
    rate = a.fill * est
    if fail is not None:
        rate = min(rate, 0.9 * fail.rate)
    rate = round_rate(max(rate, a.fill * best_probe.rate))
    best, tried = None, set()
    for i in range(a.holds):
        tried.add(rate)
        t = go(rate, a.hold)
        if t.ok:
            best = t
            up = round_rate(rate * 8 / 7)
            if i > 0 or up in tried:
                break
            rate = up
            continue
        if best is not None:
            break       # the step up failed: the pass below stands
        nxt = rate * 6 / 7
        if t.elapsed > 0 and t.completed > 0 and "behind" in t.why:
            nxt = min(nxt, 0.95 * t.completed / t.elapsed)
        rate = round_rate(nxt)
        if rate in tried:
            rate = round_rate(rate * 6 / 7)
    return best, trials


def percentile(vals, q):
    if not vals:
        return None
    k = max(0, min(len(vals) - 1, int(math.ceil(q * len(vals))) - 1))
    return vals[k]


def measure(server, gen, a):
    log("%s (%s, loaded by %s)" % (server.name, server.op, gen.name))
    t0 = time.time()
    best, trials = search(server, gen, a)
    row = {"server": server.name, "operation": server.op,
           "transport": getattr(server, "transport", "udp"),
           "load": gen.name, "max_rate": None, "trials": [
               x.summary() for x in trials]}
    if best is None:
        passed = [x.rate for x in trials if x.ok]
        row["note"] = ("no rate held for %d s (probes passed up to %s/s)"
                       % (a.hold, max(passed)) if passed
                       else "no rate passed")
        return row
    half = trial(server, gen, max(1, best.rate // 2), a.hold, rtt=True)
    row["trials"].append(half.summary())
    row.update({
        "max_rate": best.rate,
        "server_cpu_us_per_op": best.cpu_us_per_op,
        "server_cpu_us_per_op_half": half.cpu_us_per_op,
        "generator_busy_at_max": best.gen_busy,
        "server_rss_bytes": best.max_rss,
        "server_pss_bytes": best.max_pss,
        "half_rate": half.rate, "half_pass": half.ok,
        "connections": best.connections,
        "connections_at_half": half.connections,
        "server_command": " ".join(shlex.quote(x) for x in best.server_argv),
        "load_command": " ".join(shlex.quote(x) for x in best.gen_argv),
        "seconds": round(time.time() - t0, 1)})
    if half.wire:
        w = half.wire
        row["wire_latency_ms"] = {
            "p50": percentile(w, 0.50), "p90": percentile(w, 0.90),
            "p99": percentile(w, 0.99), "max": w[-1], "samples": len(w),
            "capture_dropped": half.wire_dropped}
    lat = half.latencies
    if isinstance(lat, dict):
        row["latency_ms"] = lat
    elif lat:
        # SIPp 3.6 reads a coarse clock: its samples come in steps of
        # the kernel tick (4 ms here), which the report states.
        steps = [v for v in lat if v > 0]
        row["latency_ms"] = {"p50": percentile(lat, 0.50),
                             "p90": percentile(lat, 0.90),
                             "p99": percentile(lat, 0.99),
                             "max": lat[-1], "samples": len(lat),
                             "at_or_over_one_step": len(steps) / len(lat),
                             "resolution": min(steps) if steps else None}
    if best.gen_busy is not None and best.gen_busy > 0.9:
        row["note"] = ("generator-bound: %s used %.0f %% of its core at the "
                       "maximum; the server may go faster" %
                       (gen.name, 100 * best.gen_busy))
    return row


# ---- the TLS handshake ---------------------------------------------------

def newconn_row(work, floor, pki, sipp, a):
    """nta-floor over TLS with a new connection for every REGISTER: SIPp's
    plain scenario over -t tn, through stunnel without session resumption,
    so each operation is a TCP connect, a full TLS handshake, REGISTER,
    200 and the close."""
    srv = NtaFloor(work, floor, False, "tls", pki,
                   name="nta-floor-tls-newconn")
    srv.newconn = True
    srv.op = "new TLS connection, REGISTER, 200, close"
    return measure(srv, sipp, a)


def tls_handshake(rows):
    """Server CPU per TLS connection (accept, full handshake, close): the
    new-connection row's CPU per operation less the long-lived TLS row's,
    both at their maximum rates, the same REGISTER and 200 in each."""
    by = {r["server"]: r for r in rows}
    new, held = by.get("nta-floor-tls-newconn"), by.get("nta-floor-tls")
    if new and held and new.get("max_rate") and held.get("max_rate"):
        new["tls_handshake_server_cpu_us"] = (
            new["server_cpu_us_per_op"] - held["server_cpu_us_per_op"])
        new["note"] = ("server CPU per TLS connection (accept, full "
                       "handshake, close): %.1f us, this row less "
                       "nta-floor-tls" % new["tls_handshake_server_cpu_us"])


# ---- memory per SA ---------------------------------------------------------

def mem_status(pid):
    """RssAnon and RssFile of one process (/proc/PID/status), in bytes."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                k = ln.split(":")[0]
                if k in ("RssAnon", "RssFile", "VmRSS"):
                    out[k] = int(ln.split()[1]) * 1024
    except OSError:
        pass
    return out


def sa_memory(work, sipsad, tool, realm, mech, users, count):
    """sipsad's resident memory per established SA: sipsa-bench makes
    COUNT SAs (USERS users, COUNT/USERS endpoints each, over one TCP
    connection so that no transport state grows with the count), holds
    them, and sipsad's RSS before the first and after the last is read
    from /proc.  Each SA is also a registered binding."""
    epids = max(1, -(-count // users))
    name = "sipsad-sa-memory-" + mech
    log("%s (%d SAs: %d users x %d endpoints, TCP)" % (name, users * epids,
                                                      users, epids))
    srv = Sipsad(work, sipsad, "hold", realm, transport="tcp",
                 endpoints_per_user=epids, name=name)
    srv.op = "%s SAs held, each with a binding" % mech
    row = {"server": name, "operation": srv.op, "load": "sipsa-bench",
           "max_rate": None, "mechanism": mech}
    t0 = time.time()
    srv.start()
    gen = None
    try:
        time.sleep(1)
        before = mem_status(srv.proc.pid)
        argv = ["taskset", "-c", GEN_CPU, tool, "--scenario", "refresh",
                "--server", "tcp:127.0.0.1:%d" % srv.port,
                "--realm-dir", realm, "--users", str(users),
                "--epids", str(epids), "--mech", mech, "--count", "1",
                "--rate", "1", "--hold", "--hold-interval", "0",
                "--json", "-q"]
        gen = subprocess.Popen(argv, stdout=subprocess.PIPE,
                               stderr=open(os.path.join(
                                   work, "sipsa-bench.err"), "ab"),
                               stdin=subprocess.DEVNULL)
        line = gen.stdout.readline()
        res = json.loads(line) if line.strip() else {}
        time.sleep(2)       # the last answers leave the queues
        after = mem_status(srv.proc.pid)
        held = int(res.get("held", 0))
        row.update({
            "sas_held": held, "setup_s": res.get("setup_s"),
            "setup_failed": res.get("setup_failed"),
            "rss_before_bytes": before.get("VmRSS"),
            "rss_after_bytes": after.get("VmRSS"),
            "anon_before_bytes": before.get("RssAnon"),
            "anon_after_bytes": after.get("RssAnon"),
            "server_command": " ".join(shlex.quote(x) for x in srv.argv),
            "load_command": " ".join(shlex.quote(x) for x in argv)})
        if held > 0 and before and after:
            row["rss_per_sa_bytes"] = (after["VmRSS"] -
                                       before["VmRSS"]) / held
            row["anon_per_sa_bytes"] = (after["RssAnon"] -
                                        before["RssAnon"]) / held
            row["file_per_sa_bytes"] = (after["RssFile"] -
                                        before["RssFile"]) / held
        else:
            row["note"] = "no SA held (see sipsa-bench.err)"
        if held < users * epids:
            row["note"] = "%d of %d SAs made" % (held, users * epids)
        log("  %s: %d SAs in %.1f s, %s B RSS per SA (%s B anonymous)" % (
            name, held, float(res.get("setup_s") or 0),
            fmt(row.get("rss_per_sa_bytes"), ".0f"),
            fmt(row.get("anon_per_sa_bytes"), ".0f")))
    finally:
        if gen is not None:
            if gen.poll() is None:
                gen.terminate()
            try:
                gen.wait(30)
            except subprocess.TimeoutExpired:
                gen.kill()
                gen.wait()
        srv.stop()
    row["seconds"] = round(time.time() - t0, 1)
    return row


# ---- report ----------------------------------------------------------------

def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for ln in f:
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    return "%s %s %s, %d CPUs, %s" % (platform.system(), platform.release(),
                                      platform.machine(), os.cpu_count(),
                                      cpu)


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=10)
        lines = [x.strip() for x in (out.stdout or out.stderr).splitlines()
                 if x.strip()]
        return lines[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "?"


def fmt(v, spec, none="-"):
    return none if v is None else format(v, spec)


def table(rep):
    out = []
    out.append("machine: %s" % rep["machine"])
    out.append("date:    %s" % rep["date"])
    out.append("load:    %s (before), %s (after)" % (rep["load_before"],
                                                     rep["load_after"]))
    out.append("peers:   %s; %s" % (rep["kamailio"], rep["sipp"]))
    out.append("search:  %s" % rep["search"])
    out.append("UDP:     %s" % rep["udp_buffers"])
    # Ratios to Kamailio over the row's own transport.
    anchors = {r.get("transport", "udp"): r for r in rep["rows"]
               if r["server"].startswith("kamailio") and r.get("max_rate")}
    out.append("conns:   %s" % rep.get("connections", "-"))
    out.append("")
    hdr = ("| server | operation | load | connections "
           "| max rate/s (%d s, 0 failures) "
           "| server CPU us/op at max | at half "
           "| p99 ms at half, per request on the wire "
           "| p99 ms at half, per operation, generator "
           "| server RSS / PSS MiB | CPU vs Kamailio | rate vs Kamailio |"
           % rep["hold_s"])
    out.append(hdr)
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rep["rows"]:
        if "mechanism" in r:
            continue    # memory rows: their own table below
        if not r.get("max_rate"):
            out.append("| %s | %s | %s | | %s | | | | | | | |" % (
                r["server"], r["operation"], r["load"],
                r.get("note", "-")))
            continue
        wire = r.get("wire_latency_ms", {}).get("p99")
        lat = r.get("latency_ms", {})
        p99 = lat.get("p99")
        if p99 is None:
            p99s = "-"
        elif "resolution" in lat:   # SIPp: whole clock steps
            p99s = "%.0f (steps of %s)" % (p99,
                                           fmt(lat["resolution"], ".0f"))
        else:
            p99s = "%.2f" % p99
        cpu_ratio = rate_ratio = "-"
        anchor = anchors.get(r.get("transport", "udp"))
        if anchor:
            cpu_ratio = "%.2f" % (r["server_cpu_us_per_op"] /
                                  anchor["server_cpu_us_per_op"])
            rate_ratio = "%.2f" % (r["max_rate"] / anchor["max_rate"])
        out.append("| %s | %s | %s | %s | %d%s | %s | %s | %s | %s "
                   "| %.0f / %.0f | %s | %s |" % (
                       r["server"], r["operation"], r["load"],
                       r.get("connections") or "-",
                       r["max_rate"], "*" if r.get("note") else "",
                       fmt(r["server_cpu_us_per_op"], ".1f"),
                       fmt(r.get("server_cpu_us_per_op_half"), ".1f"),
                       fmt(wire, ".2f"), p99s,
                       r["server_rss_bytes"] / 2**20,
                       r["server_pss_bytes"] / 2**20, cpu_ratio,
                       rate_ratio))
    notes = [(r["server"], r["note"]) for r in rep["rows"]
             if r.get("note") and r.get("max_rate")]
    if notes:
        out.append("")
        for s, n in notes:
            out.append("* %s: %s" % (s, n))
    mem = [r for r in rep["rows"] if "mechanism" in r]
    if mem:
        out.append("")
        out.append("| sipsad, SAs held over TCP | SAs | set-up s | RSS before "
                   "/ after MiB | RSS per SA B | anonymous per SA B | file "
                   "pages per SA B |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in mem:
            out.append("| %s | %s | %s | %s / %s | %s | %s | %s |" % (
                r["mechanism"], r.get("sas_held", "-"),
                fmt(r.get("setup_s"), ".1f"),
                fmt((r.get("rss_before_bytes") or 0) / 2**20, ".1f"),
                fmt((r.get("rss_after_bytes") or 0) / 2**20, ".1f"),
                fmt(r.get("rss_per_sa_bytes"), ".0f"),
                fmt(r.get("anon_per_sa_bytes"), ".0f"),
                fmt(r.get("file_per_sa_bytes"), ".0f")))
            if r.get("note"):
                out.append("  %s: %s" % (r["server"], r["note"]))
    out.append("")
    out.append("commands (at the maximum rate):")
    for r in rep["rows"]:
        if r.get("server_command"):
            out.append("  %s: %s" % (r["server"], r["server_command"]))
            out.append("  %s load: %s" % (r["server"], r["load_command"]))
    out.append("total time: %.0f s" % rep["seconds"])
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(prog="bench/run.sh")
    ap.add_argument("--json", action="store_true",
                    help="print the report as JSON")
    ap.add_argument("--build", default=os.getcwd(),
                    help="build directory (default: the current one)")
    ap.add_argument("--only", default="",
                    help="comma list: kamailio, nta-floor, "
                         "nta-floor-stateless, nta-floor-newconn (TLS), "
                         "sipsad (all its rows) or "
                         "sipsad-ntlm, -kerberos, -refresh, -message, "
                         "-sa-memory-ntlm, -sa-memory-kerberos (the "
                         "memory rows only when named)")
    ap.add_argument("--transports", default="tcp,tls",
                    help="comma list of udp, tcp, tls: each row over each")
    ap.add_argument("--connections", type=int, default=2000,
                    help="long-lived connections over TCP and TLS")
    ap.add_argument("--ramp", type=int, default=500,
                    help="SIPp's new connections per second at a "
                         "trial's start")
    ap.add_argument("--hold", type=int, default=10)
    ap.add_argument("--probe", type=int, default=3)
    ap.add_argument("--start", type=int, default=2000)
    ap.add_argument("--max-rate", type=int, default=64000)
    ap.add_argument("--fill", type=float, default=0.75,
                    help="first hold at this share of the capacity the "
                         "probes predict")
    ap.add_argument("--holds", type=int, default=3,
                    help="at most this many holds per row")
    ap.add_argument("--sa-count", type=int, default=100000,
                    help="SAs held in sipsad for the memory rows "
                         "(0: no memory rows)")
    ap.add_argument("--users", type=int, default=10000)
    ap.add_argument("--sipsad-users", type=int, default=1000)
    ap.add_argument("--keep", help="keep the work files in this directory")
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x) or {
        "kamailio", "nta-floor", "nta-floor-newconn", "sipsad"}
    transports = [x for x in a.transports.split(",") if x]
    if not transports or set(transports) - {"udp", "tcp", "tls"}:
        ap.error("--transports wants a comma list of udp, tcp, tls")
    for tool in (["stunnel", "openssl"] if "tls" in transports else []) + \
            (["ss"] if transports != ["udp"] else []):
        if not shutil.which(tool):
            ap.error("%s is missing (scripts/install-deps --bench)" % tool)
    # Thousands of connections: the servers, SIPp and stunnel inherit.
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    t0 = time.time()
    rep = {"machine": machine(),
           "date": datetime.datetime.now(datetime.timezone.utc).strftime(
               "%Y-%m-%d %H:%M UTC"),
           "load_before": " ".join(open("/proc/loadavg").read().split()[:3]),
           "kamailio": version(["kamailio", "-v"]),
           "sipp": version(["sipp", "-v"]),
           "hold_s": a.hold,
           "search": "probes of %d s from %d/s doubling, first hold at "
                     "%g of the probes' capacity, steps of a seventh, at "
                     "most %d holds of %d s; server on CPU %s, generator on "
                     "CPU %s" % (a.probe, a.start, a.fill, a.holds, a.hold,
                                 SERVER_CPU, GEN_CPU),
           "transports": transports,
           "connections": "%d long-lived over TCP and TLS (SIPp: %d new "
                          "a second at a trial's start)" % (a.connections,
                                                            a.ramp),
           "rows": []}
    if float(rep["load_before"].split()[0]) > 0.5:
        log("warning: load average %s before the run: other work on this "
            "machine shares the cores and skews every figure" %
            rep["load_before"])
    # SIGTERM too must reach the finally below (buffers, servers, realm).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    saved = udp_buffers(UDP_BUF)
    rep["udp_buffers"] = ("net.core.rmem_default and rmem_max set to %d "
                          "for the run" % UDP_BUF if saved else
                          "system defaults (not root)")
    work = a.keep or tempfile.mkdtemp(prefix="sipsa-peers.")
    os.makedirs(work, exist_ok=True)
    realm = None
    try:
        pki = Pki(work) if "tls" in transports else None
        sipp = Sipp(work, max(a.users, a.connections), a.connections,
                    a.ramp, pki)
        floor = os.path.join(a.build, "bench", "nta-floor")
        for tp in transports:
            if "kamailio" in only:
                rep["rows"].append(measure(Kamailio(work, tp, pki), sipp,
                                           a))
            for name, sl in (("nta-floor", False),
                             ("nta-floor-stateless", True)):
                if name in only:
                    rep["rows"].append(measure(NtaFloor(
                        work, floor, sl, tp, pki), sipp, a))
            if tp == "tls" and "nta-floor-newconn" in only:
                rep["rows"].append(newconn_row(work, floor, pki, sipp, a))
        tls_handshake(rep["rows"])
        scens = [s for s in SIPSAD_SCENARIOS
                if "sipsad" in only or "sipsad-" + s in only]
        # The memory rows only when named: a 100,000-SA hold takes three
        # (NTLM) to seven (Kerberos) minutes, and the default run must
        # end within 15.
        mems = [m for m in ("ntlm", "kerberos") if a.sa_count > 0 and
                "sipsad-sa-memory-" + m in only]
        if scens or mems:
            tool = os.path.join(a.build, "tools", "sipsa-bench")
            sipsad = os.path.join(a.build, "sipsad")
            if not os.access(tool, os.X_OK):
                log("tools/sipsa-bench is not built: sipsad rows skipped")
                for s in scens:
                    rep["rows"].append({
                        "server": "sipsad-" + s, "operation": SIPSAD_OPS[s],
                        "load": "sipsa-bench", "max_rate": None,
                        "note": "pending sipsa-bench (not built)"})
            else:
                realm = os.path.join(work, "realm")
                subprocess.run([os.path.join(TOP, "scripts", "sipsa-realm"),
                                "up", realm, "--users",
                                str(a.sipsad_users)], check=True,
                               stdout=subprocess.DEVNULL)
                gen = SipsaBench(work, tool, realm, a.sipsad_users,
                                 a.connections, pki)
                usage = subprocess.run([tool, "--help"], capture_output=True,
                                       text=True)
                usage = usage.stdout + usage.stderr
                for tp in transports:
                    for s in scens:
                        if s not in usage:
                            rep["rows"].append({
                                "server": named("sipsad-" + s, tp),
                                "operation": SIPSAD_OPS[s],
                                "load": gen.name, "max_rate": None,
                                "note": "pending: sipsa-bench has no %s "
                                        "scenario yet" % s})
                            continue
                        rep["rows"].append(measure(
                            Sipsad(work, sipsad, s, realm, tp, pki=pki),
                            gen, a))
                for m in mems:
                    rep["rows"].append(sa_memory(work, sipsad, tool, realm,
                                                 m, a.sipsad_users,
                                                 a.sa_count))
    finally:
        if saved:
            udp_buffers(None, saved)
        if realm:
            subprocess.run([os.path.join(TOP, "scripts", "sipsa-realm"),
                            "down", realm], stdout=subprocess.DEVNULL)
        if not a.keep:
            subprocess.run(["rm", "-rf", work])
    rep["load_after"] = " ".join(open("/proc/loadavg").read().split()[:3])
    rep["seconds"] = round(time.time() - t0, 1)
    if a.json:
        print(json.dumps(rep, indent=2))
    else:
        print(table(rep))


if __name__ == "__main__":
    main()
