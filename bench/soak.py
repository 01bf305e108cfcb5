# SPDX-License-Identifier: BSD-2-Clause
"""bench/soak.py: the soak test; bench/soak.sh runs it (see bench/README.md,
"The soak").  Not run by make check.

One sipsad (the release build of --build, on CPU 0) over a throwaway realm
(scripts/sipsa-realm) carries, for --duration seconds (default an hour):

  legitimate load   tools/sipsa-bench --scenario refresh over TCP (signed
                    REGISTER refreshes on established NTLM SAs, USERS x
                    EPIDS endpoints, all on one connection) at half the
                    highest rate sipsad sustains (found first with
                    bench/peers.py's search, or --max-rate / --rate), on
                    CPU 1;
  unauthenticated   bench/attack.py udp-flood (REGISTERs without
  flood             credentials and NTLM first legs, as fast as one Python
                    process can) and tcp-flood (one connection of
                    unauthenticated REGISTERs that never reads), from
                    --flood-source (127.0.0.2);
  password guessing bench/attack.py guess: NTLM sign-ins of --victim with
                    wrong passwords, one after the other, from
                    --guess-source (127.0.0.3).

The attackers run on the generator's core under nice (--attack-cpu,
--attack-nice), so that sipsad keeps a core of its own, as it would with
its attackers on other machines, and the generator gets the CPU it needs:
a late generator would count its own lateness as the server's failures.

Every --poll seconds (5) sipsad's VmRSS, open descriptors and CPU time
are read from /proc; every --interval seconds (60) they make one row
(minimum, maximum, last), with the refresh rate, the attackers' rates and
the log's size.  At the end: the legitimate requests sent, answered and
failed, the rate achieved, the guesses made and how many the lockout
refused, and sipsad's log; a JSON report (--out) and a markdown summary
next to it (.md).  Exit status 0 when every legitimate request succeeded,
sipsad lived through the run and exited 0 at SIGTERM; 1 otherwise; 2 when
the run could not start.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import peers   # noqa: E402  (the search, the server and generator runs)

CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_CPU, GEN_CPU = peers.SERVER_CPU, peers.GEN_CPU


def log(msg):
    print("soak: " + msg, file=sys.stderr, flush=True)


peers.log = log     # the search's trial lines, under this name


# ---- sipsad's configuration: the one place the soak sets it ---------------
#
# The search and the soak run sipsad with this same text.  The braces are
# filled from the options; --conf-extra FILE is appended as it is (blocks
# for what sipsad grows later: connection caps, timeouts).
#
# sipsad has no per-source exemption: guard { } applies to every source.
# The legitimate load and the attackers are told apart by where they come
# from and what they do:
#
#   guard { handshake-rate } (--handshake-rate, default 0: no limit).
#     sipsa-bench makes all its SAs (USERS x EPIDS handshakes of two legs)
#     from one address in a second or two; at the default of 100 legs a
#     second it would be refused.  The flood's first legs are then not
#     rate-limited either: the harder case for sipsad.
#   user-failures, source-failures, window, block-time, block-max: the
#     defaults (4, 20, 15m, 1m, 1h), unlike bench/run.sh, which raises
#     source-failures for its NTLM handshake runs.  The generator signs in
#     with right passwords only and never fails, so only the guesser (its
#     own source, --guess-source) counts failures and is blocked: per
#     account after 4, per source after 20.  Refreshes are signed
#     requests, which the lockout never sees, and a source that signed an
#     account in keeps signing it in (trust-time), so guessing the
#     password of a user the generator holds (the default victim, user1)
#     must not cost the generator anything.
#   sa { half-open-per-source } (64) evicts only the flood's own half-open
#     SAs: the flood has a source address of its own (--flood-source).
#   registrar { sync none } as in bench/run.sh: the binding store is
#     flushed once a second rather than with fsyncs per REGISTER, so that
#     the disk does not set the rate.
#   endpoints-per-user: at least --epids.
#   log { level } (--log-level, notice): its size at the end is a result.
SIPSAD_CONF = """\
# written by bench/soak.py (see the comment above SIPSAD_CONF there)
server {{
	fqdn proxy.example.test
	state-dir "{state}"
}}
listen tcp 127.0.0.1 {port} {{
	role registrar
}}
listen udp 127.0.0.1 {port} {{
	role registrar
}}
auth {{
	schemes kerberos ntlm
	kerberos {{
		keytab "{realm}/sip.keytab"
	}}
	ntlm {{
		users file "{realm}/ntlm_users.smbpasswd"
	}}
}}
registrar {{
	sync none
	endpoints-per-user {epu}
}}
guard {{
	handshake-rate {handshake_rate}
}}
log {{
	target stderr
	level {log_level}
}}
"""


class SoakSipsad(peers.Sipsad):
    """sipsad with the configuration above, on TCP and UDP."""

    def __init__(self, work, binary, realm, a, name):
        super().__init__(work, binary, "refresh", realm, transport="tcp",
                         endpoints_per_user=max(8, a.epids), name=name)
        self.a = a
        self.conf_text = None

    def command(self):
        conf = os.path.join(self.work, self.name + ".conf")
        state = os.path.join(self.work, self.name + ".state")
        shutil.rmtree(state, ignore_errors=True)
        os.makedirs(state, mode=0o700)
        text = SIPSAD_CONF.format(state=state, port=self.port,
                                  realm=self.realm, epu=self.epu,
                                  handshake_rate=self.a.handshake_rate,
                                  log_level=self.a.log_level)
        if self.a.conf_extra:
            with open(self.a.conf_extra) as f:
                text += "# --conf-extra %s\n%s" % (self.a.conf_extra,
                                                   f.read())
        with open(conf, "w") as f:
            f.write(text)
        self.conf_text = text
        return [self.binary, "-D", "-f", conf]


class TcpBench(peers.SipsaBench):
    """sipsa-bench refresh over TCP, for the search."""

    def __init__(self, work, binary, realm, a):
        super().__init__(work, binary, realm, a.users)
        self.epids = a.epids
        self.timeout = a.timeout

    def command(self, server, rate, hold, progress):
        return [self.binary, "--scenario", "refresh", "--server",
                "tcp:127.0.0.1:%d" % server.port, "--realm-dir", self.realm,
                "--users", str(self.users), "--epids", str(self.epids),
                "--timeout", str(self.timeout), "--rate", str(rate),
                "--duration", str(hold), "--progress", progress, "--json"]


# ---- /proc -----------------------------------------------------------------

def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for ln in f:
                k, _, v = ln.partition(":")
                if k in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return None


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def progress_rows(path):
    rows = []
    try:
        with open(path) as f:
            for ln in f:
                p = ln.split()
                if len(p) >= 2:
                    rows.append((float(p[0]), int(p[1])))
    except (OSError, ValueError):
        pass
    return rows


def completed_at(rows, t):
    """Operations completed by time t (linear between progress lines)."""
    if not rows or t <= rows[0][0]:
        return 0
    for (t0, c0), (t1, c1) in zip(rows, rows[1:]):
        if t0 <= t <= t1:
            return c0 if t1 == t0 else c0 + (c1 - c0) * (t - t0) / (t1 - t0)
    return rows[-1][1]


def legit_sources(port):
    """Local addresses of the established TCP connections to port
    (/proc/net/tcp), read before the attackers connect: the generator's."""
    srcs = set()
    try:
        with open("/proc/net/tcp") as f:
            next(f)
            for ln in f:
                p = ln.split()
                local, remote, state = p[1], p[2], p[3]
                if state != "01" or int(remote.split(":")[1], 16) != port:
                    continue
                addr = int(local.split(":")[0], 16)
                srcs.add(socket.inet_ntoa(struct.pack("<I", addr)))
    except (OSError, ValueError, IndexError, StopIteration):
        pass
    return sorted(srcs)


# ---- the run ---------------------------------------------------------------

class Proc:
    """A child process with its output in the work directory."""

    def __init__(self, name, argv, work, stdout=None):
        self.name, self.argv = name, argv
        self.err = open(os.path.join(work, name + ".err"), "wb")
        self.out = open(stdout, "wb") if stdout else subprocess.DEVNULL
        self.p = subprocess.Popen(argv, stdout=self.out, stderr=self.err,
                                  stdin=subprocess.DEVNULL)
        self.pid = self.p.pid
        self.cpu = 0

    def alive(self):
        return self.p.poll() is None

    def sample(self):
        t = peers.cpu_ticks(self.pid) if self.alive() else None
        if t is not None:
            self.cpu = t

    def stop(self, wait=30):
        if self.alive():
            self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(wait)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        for f in (self.err, self.out):
            if f is not subprocess.DEVNULL:
                f.close()
        return self.p.returncode

    def tail(self):
        try:
            with open(self.err.name, "rb") as f:
                return f.read()[-600:].decode(errors="replace").strip()
        except OSError:
            return ""


def search_rate(a, work, sipsad, tool, realm):
    """The highest refresh rate held over TCP (bench/peers.py's search,
    each trial on a fresh sipsad with the soak's configuration), and the
    trials."""
    srv = SoakSipsad(work, sipsad, realm, a, "sipsad-search")
    gen = TcpBench(work, tool, realm, a)
    args = types.SimpleNamespace(start=a.search_start, max_rate=64000,
                                 probe=a.search_probe, hold=a.search_hold,
                                 fill=0.75, holds=a.search_holds)
    log("search: refresh over TCP, probes of %d s from %d/s, holds of "
        "%d s" % (a.search_probe, a.search_start, a.search_hold))
    best, trials = peers.search(srv, gen, args)
    return best, trials


ATTACK_COUNTS = (("udp_flood", "udp-flood", "sent"),
                 ("tcp_flood", "tcp-flood", "requests_sent"),
                 ("guess", "guess", "attempts"))


def sample_server(srv_pid, logpath=None, work=None):
    """sipsad's memory, descriptors, CPU ticks and log size now, with the
    attackers' counters."""
    st = proc_status(srv_pid)
    s = {"time": time.time(), "rss": st.get("VmRSS"),
         "hwm": st.get("VmHWM"), "anon": st.get("RssAnon"),
         "fds": fd_count(srv_pid), "ticks": peers.cpu_ticks(srv_pid),
         "log": file_size(logpath) if logpath else None, "att": {}}
    for name, key, field in ATTACK_COUNTS if work else ():
        v = read_json(os.path.join(work, key + ".json")).get(field)
        if v is not None:
            s["att"][name] = v
    return s


def minute_rows(samples, t0, interval, prog):
    """One row per interval from the polls: RSS and descriptors (min,
    max, last), sipsad's share of a CPU, the legitimate rate, the
    attackers' rates and the log's size at its end."""
    rows = []
    samples = [s for s in samples if s["rss"] is not None]
    if not samples or t0 is None:
        return rows
    n = int((samples[-1]["time"] - t0) // interval) + 1
    prev = samples[0]
    for i in range(n):
        lo, hi = t0 + i * interval, t0 + (i + 1) * interval
        ss = [s for s in samples
              if lo <= s["time"] < hi or (i == n - 1 and s["time"] >= hi)]
        if not ss:
            continue
        first, last = prev, ss[-1]
        span = last["time"] - first["time"]
        row = {"minute": i + 1, "t_end_s": round(last["time"] - t0, 1),
               "rss_min": min(s["rss"] for s in ss),
               "rss_max": max(s["rss"] for s in ss),
               "rss_last": last["rss"], "vm_hwm": last["hwm"],
               "fds_min": min(s["fds"] or 0 for s in ss),
               "fds_max": max(s["fds"] or 0 for s in ss),
               "fds_last": last["fds"], "cpu_share": None,
               "refresh_rate": None, "log_bytes": last["log"]}
        if span > 0:
            if last["ticks"] is not None and first["ticks"] is not None:
                row["cpu_share"] = round((last["ticks"] - first["ticks"]) /
                                         CLK_TCK / span, 3)
            if last.get("gen_ticks") is not None and \
                    first.get("gen_ticks") is not None:
                row["generator_cpu_share"] = round(
                    (last["gen_ticks"] - first["gen_ticks"]) / CLK_TCK /
                    span, 3)
            # Over the part of the interval the generator ran.
            r0 = max(first["time"], prog[0][0]) if prog else 0
            r1 = min(last["time"], prog[-1][0]) if prog else 0
            if r1 > r0:
                row["refresh_rate"] = round((completed_at(prog, r1) -
                                             completed_at(prog, r0)) /
                                            (r1 - r0), 1)
            for name, v in last["att"].items():
                v0 = first["att"].get(name, 0)
                row[name + "_rate"] = round((v - v0) / span, 1)
        rows.append(row)
        prev = last
    return rows


def log_summary(path, victim):
    """Size, lines by level, lines naming the victim's failures and
    blocks, and the most frequent lines with numbers and hex taken out."""
    levels, shapes = {}, {}
    lines = failed = blocks = 0
    vic = re.compile(r"handshake failed .*user=[^ ]*\\%s reason=" %
                     re.escape(victim))
    lvl = re.compile(r"sipsad\[(\w+)\] (\w+): ")
    num = re.compile(r"\b(?:[0-9A-Fa-f]{6,}|[0-9][0-9.:]*)\b")
    try:
        with open(path, errors="replace") as f:
            for ln in f:
                lines += 1
                m = lvl.search(ln)
                if m:
                    levels[m.group(1)] = levels.get(m.group(1), 0) + 1
                    shape = num.sub("#", ln[m.start():].strip())[:160]
                    shapes[shape] = shapes.get(shape, 0) + 1
                if vic.search(ln):
                    failed += 1
                if "lockout: " in ln and " blocked for " in ln:
                    blocks += 1
    except OSError:
        pass
    top = sorted(shapes.items(), key=lambda x: -x[1])[:8]
    return {"bytes": file_size(path), "lines": lines, "by_level": levels,
            "victim_handshake_failures": failed, "lockout_block_lines":
            blocks, "top_lines": [{"count": c, "line": s} for s, c in top]}


def soak(a, work, sipsad_bin, tool, realm, netbios, rate, rep):
    """The soak proper; fills rep, returns the list of failures."""
    fails = []
    srv = SoakSipsad(work, sipsad_bin, realm, a, "sipsad-soak")
    srv.start()
    srv_pid = srv.proc.pid
    rep["sipsad_conf"] = srv.conf_text
    rep["sipsad_pid"] = srv_pid
    logpath = os.path.join(work, srv.name + ".log")
    # Not the search's progress.txt: the run starts with this file's first
    # line.
    prog = os.path.join(work, "soak-progress.txt")
    gen_json = os.path.join(work, "sipsa-bench.json")
    for f in (prog, gen_json):
        if os.path.exists(f):
            os.unlink(f)
    gen_argv = ["taskset", "-c", GEN_CPU, tool, "--scenario", "refresh",
                "--server", "tcp:127.0.0.1:%d" % srv.port,
                "--realm-dir", realm, "--users", str(a.users),
                "--epids", str(a.epids), "--rate", str(rate),
                "--duration", str(a.duration), "--timeout", str(a.timeout),
                "--progress", prog, "--server-pid", str(srv_pid),
                "--json", "-q"]
    rep["commands"] = {"sipsad": " ".join(srv.argv),
                       "sipsa-bench": " ".join(gen_argv)}
    attackers = []
    gen = None
    samples = []
    t0 = None
    try:
        gen = Proc("sipsa-bench", gen_argv, work, stdout=gen_json)
        # The SAs are made first; the run starts with the first progress
        # line.
        deadline = time.time() + 120 + a.users * a.epids / 50.0
        while not progress_rows(prog) and gen.alive() and \
                time.time() < deadline:
            time.sleep(0.2)
        rows = progress_rows(prog)
        if not rows:
            fails.append("sipsa-bench made no SAs: %s" % gen.tail())
            return fails
        t0 = rows[0][0]
        rep["legit_sources"] = legit_sources(srv.port)
        log("run started: %d/s for %d s, sipsad pid %d port %d; legitimate "
            "load from %s" % (rate, a.duration, srv_pid, srv.port,
                              ", ".join(rep["legit_sources"]) or "?"))
        attack = [sys.executable, os.path.join(HERE, "attack.py")]
        wrap = ["nice", "-n", str(a.attack_nice)]
        if a.attack_cpu != "":
            wrap += ["taskset", "-c", a.attack_cpu]
        server = "127.0.0.1:%d" % srv.port
        plan = []
        if a.flood:
            plan.append(("udp-flood", ["--source", a.flood_source] +
                         (["--rate", str(a.flood_rate)]
                          if a.flood_rate else [])))
        if a.tcp_flood:
            plan.append(("tcp-flood", ["--source", a.flood_source]))
        if a.guess:
            plan.append(("guess", ["--source", a.guess_source, "--user",
                                   a.victim, "--domain", netbios,
                                   "--interval", str(a.guess_interval)]))
        for name, extra in plan:
            argv = wrap + attack + [name, "--server", server, "--status",
                                    os.path.join(work, name + ".json")] + \
                extra
            attackers.append(Proc(name, argv, work))
            rep["commands"][name] = " ".join(argv)
        time.sleep(1)
        for p in attackers:
            if not p.alive():
                fails.append("%s did not start: %s" % (p.name, p.tail()))
        if fails:
            return fails
        # Sample until the generator ends (or sipsad dies).
        last_row = 0
        limit = time.time() + a.duration + 120
        while True:
            samples.append(sample_server(srv_pid, logpath, work))
            for p in attackers + [gen]:
                p.sample()
            # Only while it runs: the last row may end after it did.
            samples[-1]["gen_ticks"] = gen.cpu if gen.alive() else None
            if not srv.alive():
                fails.append("sipsad died %.0f s into the run (exit %s)" %
                             (time.time() - t0, srv.proc.returncode))
                break
            if not gen.alive():
                break
            if time.time() > limit:
                fails.append("sipsa-bench did not finish in time")
                break
            if time.time() - t0 >= (last_row + 1) * a.interval:
                last_row += 1
                r = [x for x in minute_rows(samples, t0, a.interval,
                                            progress_rows(prog))
                     if x["minute"] == last_row]
                if r:
                    r = r[0]
                    log("minute %d: RSS %s MiB (max %s), %s fds, CPU %s %% "
                        "(generator %s %%), refresh %s/s, flood %s/s, guess "
                        "attempts %s/s, log %d KiB" % (
                            r["minute"], mib(r["rss_last"]),
                            mib(r["rss_max"]), r["fds_last"],
                            pct(r["cpu_share"]),
                            pct(r.get("generator_cpu_share")),
                            r["refresh_rate"],
                            r.get("udp_flood_rate", "-"),
                            r.get("guess_rate", "-"),
                            (r["log_bytes"] or 0) // 1024))
            time.sleep(a.poll)
    finally:
        for p in attackers:
            p.stop()
        if gen is not None:
            gen.stop()
        if srv.alive():
            time.sleep(2)       # what sipsad gives back once they stop
            rep["after_attack"] = sample_server(srv_pid, logpath)
        alive = srv.alive()
        rep["sipsad_alive_at_end"] = alive
        status = None
        if srv.proc is not None:
            if alive:
                srv.proc.send_signal(signal.SIGTERM)
            try:
                status = srv.proc.wait(30)
            except subprocess.TimeoutExpired:
                srv.proc.kill()
                srv.proc.wait()
                status = "killed after 30 s"
            srv.log.close()
            srv.proc = None
        rep["sipsad_exit_at_sigterm"] = status if alive else None
        if alive and status != 0:
            fails.append("sipsad exited %s at SIGTERM" % status)
        if not alive and not any("died" in f for f in fails):
            fails.append("sipsad died (exit %s)" % status)
        rep["_samples"] = samples
        rep["_t0"] = t0
        rep["_gen"] = gen
        rep["_attackers"] = attackers
        rep["_logpath"] = logpath
        rep["_prog"] = prog
        rep["_gen_json"] = gen_json
    return fails


def mib(b):
    return "-" if b is None else "%.1f" % (b / 2**20)


def pct(x):
    return "-" if x is None else "%.0f" % (100 * x)


def summarize(a, rep, work, fails):
    """The JSON report's result part, from what soak() left in rep."""
    samples = rep.pop("_samples", [])
    t0 = rep.pop("_t0", None)
    gen = rep.pop("_gen", None)
    attackers = rep.pop("_attackers", [])
    logpath = rep.pop("_logpath", None)
    prog = progress_rows(rep.pop("_prog", ""))
    res = read_json(rep.pop("_gen_json", ""))
    fl = res.get("failures", {})
    failed = sum(fl.values()) if isinstance(fl, dict) else int(fl or 0)
    started = int(res.get("started", 0))
    completed = int(res.get("completed", 0))
    rep["legitimate"] = {
        "sent": started, "ok": completed, "failed": failed,
        "unanswered": max(0, started - completed - failed),
        "failures": fl, "failure_samples": res.get("failure_samples", {}),
        "setup_sas": res.get("setup_sas"),
        "setup_failed": res.get("setup_failed"),
        "setup_s": res.get("setup_s"),
        "rate_target": res.get("rate_target"), "rate": res.get("rate"),
        "elapsed_s": res.get("elapsed_s"),
        "latency_ms": res.get("latency_ms"),
        "rspauth_verified": res.get("rspauth_verified"),
        "handshakes_during_run": res.get("handshakes"),
        "server_cpu_us_per_op": res.get("server_cpu_us_per_op"),
        "client_cpu_us_per_op": res.get("client_cpu_us_per_op"),
        "exit": gen.p.returncode if gen is not None else None}
    if failed:
        fails.append("%d legitimate requests failed: %s" % (
            failed, ", ".join("%s %d" % kv for kv in sorted(fl.items()))))
    elif not res and gen is not None:
        fails.append("no result from sipsa-bench: %s" % gen.tail()[-300:])
    elif gen is not None and gen.p.returncode not in (0, None):
        fails.append("sipsa-bench exited %s: %s" % (gen.p.returncode,
                                                    gen.tail()[-300:]))
    if res.get("setup_failed"):
        fails.append("%d SAs failed at set-up" % res["setup_failed"])
    if started and started != completed + failed:
        fails.append("%d legitimate requests unanswered" %
                     (started - completed - failed))
    rows = minute_rows(samples, t0, a.interval, prog)
    rep["minutes"] = rows
    rss = [s["rss"] for s in samples if s["rss"] is not None]
    fds = [s["fds"] for s in samples if s["fds"] is not None]
    mins = [r["refresh_rate"] for r in rows
            if r["refresh_rate"] is not None]
    rep["sipsad"] = {
        "rss_bytes": {"min": min(rss), "max": max(rss), "last": rss[-1],
                      "first": rss[0]} if rss else None,
        "vm_hwm_bytes": samples[-1]["hwm"] if samples else None,
        "fds": {"min": min(fds), "max": max(fds), "last": fds[-1]}
        if fds else None,
        "cpu_s": round((samples[-1]["ticks"] - samples[0]["ticks"]) /
                       CLK_TCK, 2) if len(samples) > 1 and
        samples[-1]["ticks"] is not None else None,
        "after_attack": rep.pop("after_attack", None),
        "polls": len(samples),
        "log": log_summary(logpath, a.victim) if logpath else None}
    rep["legitimate"]["refresh_rate_per_minute"] = {
        "min": min(mins), "max": max(mins)} if mins else None
    att = {}
    for p in attackers:
        st = read_json(os.path.join(work, p.name + ".json"))
        st["cpu_s"] = round(p.cpu / CLK_TCK, 1)
        st["exit"] = p.p.returncode
        att[p.name] = st
    g = att.get("guess")
    if g:
        g["log_handshake_failures_naming_victim"] = \
            (rep["sipsad"]["log"] or {}).get("victim_handshake_failures")
        if g.get("accepted"):
            fails.append("a wrong password signed in %d times" %
                         g["accepted"])
    rep["attack"] = att


def markdown(rep):
    out = []
    L = rep.get("legitimate", {})
    S = rep.get("sipsad", {})
    A = rep.get("attack", {})
    out.append("# sipsad soak, %s" % rep["date"])
    out.append("")
    out.append("**%s**%s" % ("PASS" if rep["pass"] else "FAIL",
                             "" if rep["pass"] else ": " +
                             "; ".join(rep["failures"])))
    out.append("")
    out.append("- machine: %s; load average %s before, %s after" % (
        rep["machine"], rep["load_before"], rep.get("load_after", "?")))
    out.append("- source: %s; build: %s" % (rep["source"], rep["build"]))
    out.append("- command: `%s`" % rep["command"])
    out.append("- duration %d s; %d users x %d endpoints; the run took "
               "%.0f s in all" % (rep["duration_s"], rep["users"],
                                  rep["epids"], rep.get("seconds", 0)))
    m = rep.get("max_rate", {})
    out.append("- maximum refresh rate over TCP: %s/s (%s%s); soak at "
               "%d/s" % (m.get("rate", "?"), m.get("how", "-"),
                         "; " + m["note"] if m.get("note") else "",
                         rep.get("soak_rate", 0)))
    out.append("")
    if L:
        out.append("## Legitimate load (sipsa-bench refresh, TCP)")
        out.append("")
        out.append("| sent | ok | failed | unanswered | rate/s | per-minute "
                   "rate/s | p50 / p99 / max ms | sipsad CPU us/op |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|")
        lat = L.get("latency_ms") or {}
        pm = L.get("refresh_rate_per_minute") or {}
        out.append("| %s | %s | %s | %s | %s | %s–%s | %s / %s / %s | %s |" %
                   (L["sent"], L["ok"], L["failed"], L["unanswered"],
                    L.get("rate"), pm.get("min", "-"), pm.get("max", "-"),
                    lat.get("p50", "-"), lat.get("p99", "-"),
                    lat.get("max", "-"), L.get("server_cpu_us_per_op")))
        out.append("")
        out.append("From %s; %s SAs made first (%s failed); sipsad's CPU "
                   "per operation includes what the attackers cost it." %
                   (", ".join(rep.get("legit_sources") or ["?"]),
                    L.get("setup_sas"), L.get("setup_failed")))
        if L.get("failures"):
            out.append("")
            out.append("Failures: %s" % json.dumps(L["failures"]))
        out.append("")
    if S and S.get("rss_bytes"):
        out.append("## sipsad")
        out.append("")
        r, f = S["rss_bytes"], S["fds"]
        lg = S.get("log") or {}
        out.append("RSS min %s / max %s / last %s MiB; descriptors min %s "
                   "/ max %s / last %s; CPU %s s; log %d bytes, %d lines "
                   "(%s)." % (mib(r["min"]), mib(r["max"]), mib(r["last"]),
                              f["min"], f["max"], f["last"], S["cpu_s"],
                              lg.get("bytes", 0), lg.get("lines", 0),
                              ", ".join("%s %d" % kv for kv in sorted(
                                  lg.get("by_level", {}).items()))))
        aa = S.get("after_attack") or {}
        if aa.get("rss"):
            out.append("")
            out.append("Two seconds after the attackers stopped: RSS %s "
                       "MiB, %s descriptors." % (mib(aa["rss"]),
                                                 aa.get("fds")))
        out.append("")
        out.append("| minute | RSS min / max / last MiB | fds min / max / "
                   "last | CPU % | generator CPU % | refresh/s | UDP "
                   "flood/s | TCP flood req/s | guess attempts/s | log "
                   "KiB |")
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for x in rep.get("minutes", []):
            out.append("| %d | %s / %s / %s | %s / %s / %s | %s | %s | %s "
                       "| %s | %s | %s | %d |" % (
                           x["minute"], mib(x["rss_min"]), mib(x["rss_max"]),
                           mib(x["rss_last"]), x["fds_min"], x["fds_max"],
                           x["fds_last"], pct(x["cpu_share"]),
                           pct(x.get("generator_cpu_share")),
                           x["refresh_rate"], x.get("udp_flood_rate", "-"),
                           x.get("tcp_flood_rate", "-"),
                           x.get("guess_rate", "-"),
                           (x["log_bytes"] or 0) // 1024))
        out.append("")
        if lg.get("top_lines"):
            out.append("Most frequent log lines (numbers as #):")
            out.append("")
            for t in lg["top_lines"]:
                out.append("    %7d  %s" % (t["count"], t["line"]))
            out.append("")
    if A:
        out.append("## Attackers")
        out.append("")
        u = A.get("udp-flood")
        if u:
            el = u.get("elapsed_s") or 0
            out.append("- UDP flood from %s: %d sent (%d without "
                       "credentials, %d NTLM first legs), %.0f/s, %d "
                       "answered (%s); %s s CPU" % (
                           u.get("source"), u.get("sent", 0),
                           u.get("sent_no_credentials", 0),
                           u.get("sent_ntlm_first_leg", 0),
                           u.get("sent", 0) / el if el else 0,
                           u.get("answered", 0),
                           ", ".join("%s %d" % kv for kv in sorted(
                               u.get("answers", {}).items())),
                           u.get("cpu_s")))
        t = A.get("tcp-flood")
        if t:
            last = t.get("last_send")
            out.append("- TCP connection that never reads, from %s: %d "
                       "requests (%d bytes) written on %d connection(s), "
                       "%d closed by sipsad; last write %s s before it "
                       "stopped; answers waiting unread at the end: %s" % (
                           t.get("source"), t.get("requests_sent", 0),
                           t.get("bytes_sent", 0), t.get("connections", 0),
                           t.get("closed_by_server", 0),
                           "%.0f" % (t["time"] - last) if last else "-",
                           ", ".join("%s %d" % kv for kv in sorted(
                               t.get("answers_unread_at_end",
                                     {}).items())) or "none"))
        g = A.get("guess")
        if g:
            out.append("- password guessing from %s, account %s\\%s: %d "
                       "attempts, %d guesses sent (AUTHENTICATE), %d "
                       "refused by the lockout (503; %d of them at the "
                       "first leg), %d rejected by the mechanism (the "
                       "log has %s failed handshakes naming the account), "
                       "%d accepted, %d timeouts, other %s; Retry-After "
                       "%s–%s s" % (
                           g.get("source"), g.get("domain"), g.get("user"),
                           g.get("attempts", 0), g.get("guesses_sent", 0),
                           g.get("refused_by_lockout", 0),
                           g.get("refused_at_first_leg", 0),
                           g.get("rejected_by_mechanism", 0),
                           g.get("log_handshake_failures_naming_victim"),
                           g.get("accepted", 0), g.get("timeouts", 0),
                           json.dumps(g.get("other", {})),
                           g.get("retry_after_min"),
                           g.get("retry_after_max")))
        out.append("")
    out.append("sipsad configuration:")
    out.append("")
    for ln in (rep.get("sipsad_conf") or "").splitlines():
        out.append("    " + ln)
    return "\n".join(out) + "\n"


def machine():
    return peers.machine()


def source_id():
    try:
        rev = subprocess.run(["git", "-C", TOP, "rev-parse", "--short",
                              "HEAD"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", TOP, "status", "--porcelain",
                                "--untracked-files=no"],
                               capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return rev + ("+changes" if dirty else "") if rev else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def main():
    ap = argparse.ArgumentParser(prog="bench/soak.sh")
    ap.add_argument("--build", default=os.getcwd(),
                    help="build directory (default: the current one)")
    ap.add_argument("--duration", type=int, default=3600,
                    help="seconds of load (default 3600)")
    ap.add_argument("--out", help="JSON report (default "
                    "doc/bench/soak-DATE.json in the source tree); the "
                    "markdown summary goes next to it (.md)")
    ap.add_argument("--keep", help="keep the work files in this directory")
    ap.add_argument("--users", type=int, default=1000)
    ap.add_argument("--epids", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=5000,
                    help="sipsa-bench: ms a request may wait (5000)")
    ap.add_argument("--rate", type=int,
                    help="refresh rate of the soak: no search")
    ap.add_argument("--max-rate", type=int,
                    help="take this as the maximum: no search")
    ap.add_argument("--fraction", type=float, default=0.5,
                    help="soak at this share of the maximum (0.5)")
    ap.add_argument("--search-start", type=int, default=2000)
    ap.add_argument("--search-probe", type=int, default=3)
    ap.add_argument("--search-hold", type=int, default=10)
    ap.add_argument("--search-holds", type=int, default=3)
    ap.add_argument("--handshake-rate", type=int, default=0,
                    help="sipsad guard { handshake-rate } (0)")
    ap.add_argument("--log-level", default="notice")
    ap.add_argument("--conf-extra",
                    help="file appended to sipsad's configuration")
    ap.add_argument("--flood-source", default="127.0.0.2")
    ap.add_argument("--guess-source", default="127.0.0.3")
    ap.add_argument("--flood-rate", type=float, default=0,
                    help="UDP flood requests a second (0: all it can)")
    ap.add_argument("--victim", default="user1",
                    help="the account guessed at (user1)")
    ap.add_argument("--guess-interval", type=float, default=0)
    ap.add_argument("--no-flood", dest="flood", action="store_false")
    ap.add_argument("--no-tcp-flood", dest="tcp_flood",
                    action="store_false")
    ap.add_argument("--no-guess", dest="guess", action="store_false")
    ap.add_argument("--attack-cpu", default=GEN_CPU,
                    help="CPU list for the attackers ('' for any)")
    ap.add_argument("--attack-nice", type=int, default=10)
    ap.add_argument("--interval", type=int, default=60,
                    help="seconds per row of the report (60)")
    ap.add_argument("--poll", type=float, default=5,
                    help="seconds between samples of sipsad (5)")
    a = ap.parse_args()

    sipsad = os.path.join(a.build, "sipsad")
    tool = os.path.join(a.build, "tools", "sipsa-bench")
    for p in (sipsad, tool):
        if not os.access(p, os.X_OK):
            log("%s is not built (--build)" % p)
            return 2
    if a.conf_extra and not os.path.isfile(a.conf_extra):
        log("--conf-extra %s: no such file" % a.conf_extra)
        return 2
    now = datetime.datetime.now(datetime.timezone.utc)
    out = a.out or os.path.join(TOP, "doc", "bench", "soak-%s.json" %
                                now.strftime("%Y-%m-%d-%H%M"))
    md = (out[:-5] if out.endswith(".json") else out) + ".md"
    t_start = time.time()
    rep = {"date": now.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
           "load_before": " ".join(open("/proc/loadavg").read().split()[:3]),
           "source": source_id(), "build": os.path.abspath(a.build),
           "command": " ".join(["bench/soak.sh"] + sys.argv[1:]),
           "duration_s": a.duration, "users": a.users, "epids": a.epids,
           "options": vars(a), "max_rate": {}, "failures": []}
    if float(rep["load_before"].split()[0]) > 0.5:
        log("warning: load average %s before the run: other work shares "
            "the cores" % rep["load_before"])
    # SIGTERM and SIGINT too must reach the finally clauses (processes,
    # realm, report).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    work = a.keep or tempfile.mkdtemp(prefix="sipsa-soak.")
    os.makedirs(work, exist_ok=True)
    realm = os.path.join(work, "realm")
    realm_tool = os.path.join(TOP, "scripts", "sipsa-realm")
    fails = []
    code = 2
    try:
        log("realm: %d users in %s" % (a.users, realm))
        users = a.users
        m = re.match(r"user(\d+)$", a.victim)
        if m:
            users = max(users, int(m.group(1)))
        subprocess.run([realm_tool, "up", realm, "--users", str(users),
                        "--passwords", "3"], check=True,
                       stdout=subprocess.DEVNULL)
        env = {}
        with open(os.path.join(realm, "realm.env")) as f:
            for ln in f:
                k, _, v = ln.strip().partition("=")
                env[k] = v.strip("'\"")
        netbios = env.get("NETBIOS", "EXAMPLE")
        if a.rate:
            rate = a.rate
            rep["max_rate"] = {"how": "--rate given, no search"}
        elif a.max_rate:
            rate = int(a.max_rate * a.fraction)
            rep["max_rate"] = {"rate": a.max_rate, "how": "given"}
        else:
            t = time.time()
            best, trials = search_rate(a, work, sipsad, tool, realm)
            rep["max_rate"] = {
                "how": "bench/peers.py search: probes of %d s from %d/s, "
                       "holds of %d s, no attack" % (
                           a.search_probe, a.search_start, a.search_hold),
                "trials": [x.summary() for x in trials],
                "seconds": round(time.time() - t, 1)}
            if best is None:
                log("search: no rate held; see %s" % work)
                fails.append("the search found no rate")
                return 2
            rep["max_rate"]["rate"] = best.rate
            if best.gen_busy is not None and best.gen_busy > 0.9:
                rep["max_rate"]["note"] = (
                    "generator-bound (%.0f %% of its core)" %
                    (100 * best.gen_busy))
            rate = int(best.rate * a.fraction)
        rep["soak_rate"] = rate
        log("soak at %d/s for %d s" % (rate, a.duration))
        fails += soak(a, work, sipsad, tool, realm, netbios, rate, rep)
        summarize(a, rep, work, fails)
        code = 1 if fails else 0
    finally:
        subprocess.run([realm_tool, "down", realm],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rep["failures"] = fails
        rep["pass"] = code == 0
        rep["load_after"] = " ".join(
            open("/proc/loadavg").read().split()[:3])
        rep["seconds"] = round(time.time() - t_start, 1)
        for k in [k for k in rep if k.startswith("_")]:
            del rep[k]
        rep.setdefault("soak_rate", 0)
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            json.dump(rep, f, indent=2, default=str)
            f.write("\n")
        text = markdown(rep)
        with open(md, "w") as f:
            f.write(text)
        print(text)
        log("report: %s, %s" % (out, md))
        if a.keep:
            pass
        elif code != 0:
            log("work files kept in %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
