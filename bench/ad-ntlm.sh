#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench/ad-ntlm.sh: NTLM handshakes per second with the users of an
# Active Directory (ntlm { users winbind }: every AUTHENTICATE checked by
# a Samba AD DC through the domain member's winbindd) next to the same
# handshakes against an smbpasswd-format user file (ntlm { users file }),
# with one client and with several in parallel.  As root; the script runs
# itself again in private network and mount namespaces (as tests/ad/lib.sh
# does), so the host's /etc/hosts, /run/samba and Samba's ports are never
# touched.
#
#   bench/ad-ntlm.sh [--users N] [--duration S] [--concurrency "1 8 16"]
#                    [--winbind-connections K] [--build DIR] [--keep DIR]
#
# Run it from a configured build directory (or pass --build DIR): it
# needs sipsad and tools/sipsa-bench built there.  Steps:
#   1. scripts/sipsa-ad up (a DC, and a member with its own winbindd);
#      the DC's template comes from SIPSA_AD_CACHE (default
#      BUILD/tests/ad/cache, as for make check);
#   2. the domain's password policy relaxed (what samba-tool domain
#      passwordsettings set --complexity=off --min-pwd-length=0
#      --history-length=0 writes) and users user1..userN (default 100;
#      passwords userKpw, as scripts/sipsa-realm makes them) added in one
#      Python process;
#   3. scripts/sipsa-realm up with the same N users, NetBIOS domain ADEX
#      and FQDN, for the user-file rows;
#   4. for each path and each number of clients C (sipsa-bench
#      --concurrency C, each client a whole NTLM handshake after another):
#      a fresh sipsad (the winbind one in the member's mount namespace),
#      sipsa-bench --scenario ntlm over UDP for S seconds (default 20);
#      the CPU of sipsad (sipsa-bench --server-pid), of the member's
#      winbindd and of the DC (every process of their sessions,
#      /proc/PID/stat, before and after) and of the whole machine
#      (/proc/stat).  Paths: "winbind" (Samba's defaults), "file" (the
#      smbpasswd file), then "winbind-K": the member's winbindd started
#      again with winbind max domain connections = K (default 4; 0 or 1
#      leaves the row out);
#   5. one table; everything started is stopped by PID.
# About three and a half minutes with the defaults (nine 20 s runs).
# The JSON of each run and the logs stay in --keep DIR if given.
set -euo pipefail
PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
N=100
DURATION=20
CONC="1 8 16"
CONNS=4
BUILD=$PWD
KEEP=
usage() {
	sed -n '/^#   bench\/ad-ntlm.sh \[/,/--keep DIR\]$/p' "$0" |
	    sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [[ $# -gt 0 ]]; do
	case $1 in
	--users) N=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--concurrency) CONC=$2; shift 2 ;;
	--winbind-connections) CONNS=$2; shift 2 ;;
	--build) BUILD=$(cd "$2" && pwd); shift 2 ;;
	--keep) KEEP=$(realpath -m "$2"); shift 2 ;;
	*) usage ;;
	esac
done
die() { echo "ad-ntlm.sh: $*" >&2; exit 2; }
log() { echo "ad-ntlm.sh: $*" >&2; }
[[ $N =~ ^[1-9][0-9]*$ ]] || die "--users wants a number >= 1"
[[ $CONNS =~ ^[0-9]+$ ]] || die "--winbind-connections wants a number"
[[ -x $BUILD/sipsad && -x $BUILD/tools/sipsa-bench ]] ||
    die "no sipsad or tools/sipsa-bench in $BUILD (run make there)"
[[ $(id -u) -eq 0 ]] || die "needs root (private namespaces, Samba)"

# ---- outside: run again in private network and mount namespaces
if [[ -z ${SIPSA_AD_NTLM_NS:-} ]]; then
	for t in unshare nsenter samba samba-tool winbindd wbinfo net \
	    krb5kdc python3; do
		command -v "$t" >/dev/null || die "$t is not installed"
	done
	before=$(ls -lA --time-style=+%s /run/samba 2>/dev/null | cksum)
	args=(--users "$N" --duration "$DURATION" --concurrency "$CONC"
	    --winbind-connections "$CONNS" --build "$BUILD")
	[[ -z $KEEP ]] || args+=(--keep "$KEEP")
	SIPSA_AD_NTLM_NS=1 unshare --mount --net --fork \
	    --propagation private --kill-child=TERM -- \
	    "$0" "${args[@]}" &
	pid=$!
	trap 'kill -TERM $pid 2>/dev/null' INT TERM HUP
	rc=0
	wait "$pid" || rc=$?
	while kill -0 "$pid" 2>/dev/null; do
		rc=0
		wait "$pid" || rc=$?
	done
	after=$(ls -lA --time-style=+%s /run/samba 2>/dev/null | cksum)
	[[ $before == "$after" ]] ||
	    { echo "ad-ntlm.sh: the host's /run/samba changed" >&2; exit 1; }
	exit "$rc"
fi

# ---- inside
ip link set lo up
ip -4 addr show dev lo | grep -q 'inet 127\.0\.0\.2/' ||
    ip addr add 127.0.0.2/8 dev lo
export SIPSA_AD_CACHE=${SIPSA_AD_CACHE-$BUILD/tests/ad/cache}
work=$(mktemp -d /tmp/sipsa-ad-ntlm.XXXXXX)
chmod 755 "$work"
SIPSAD_PID=
AD_UP=
REALM_UP=
cleanup() {
	local rc=$?
	stop_sipsad
	[[ -z $REALM_UP ]] ||
	    "$top/scripts/sipsa-realm" down "$work/realm" >/dev/null 2>&1 ||
	    true
	[[ -z $AD_UP ]] || "$top/scripts/sipsa-ad" down "$work/ad" ||
	    log "sipsa-ad down failed"
	if [[ -n $KEEP ]] && mkdir -p "$KEEP"; then
		cp "$work"/*.json "$work"/*.log "$work"/*.err "$KEEP"/ \
		    2>/dev/null || true
		cp "$work/ad/dc/samba.out" "$KEEP/dc-samba.out" 2>/dev/null ||
		    true
		cp "$work/ad/member/winbindd.out" "$KEEP/member-winbindd.out" \
		    2>/dev/null || true
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

HZ=$(getconf CLK_TCK)

# sess_ticks ID...: CPU ticks (user, system, and of reaped children) of
# every live process whose PID or session ID is one of the IDs, and how
# many such processes there are.  Samba's
# daemons are session leaders and their children stay in the session;
# a child that exits between two samples moves into its parent's
# children's time, so the difference counts it once.
sess_ticks() {
	local ids=" $* " p stat f sum=0 n=0
	for p in /proc/[0-9]*; do
		{ read -r stat <"$p/stat"; } 2>/dev/null || continue
		p=${p#/proc/}
		# state ppid pgrp session tty tpgid flags minflt cminflt majflt
		# cmajflt utime stime cutime cstime ...
		read -r -a f <<<"${stat##*) }"
		[[ $ids == *" $p "* || $ids == *" ${f[3]} "* ]] || continue
		sum=$((sum + f[11] + f[12] + f[13] + f[14]))
		n=$((n + 1))
	done
	echo "$sum $n"
}

# busy_ticks: ticks of all CPUs not idle or waiting (/proc/stat).
busy_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
total_ticks() {
	awk '/^cpu / { s = 0; for (i = 2; i <= NF; i++) s += $i; print s }' \
	    /proc/stat
}

stop_sipsad() {
	[[ -n $SIPSAD_PID ]] || return 0
	kill -TERM "$SIPSAD_PID" 2>/dev/null || true
	wait "$SIPSAD_PID" 2>/dev/null || true
	SIPSAD_PID=
}

# sipsad_conf FILE USERS_BLOCK: sipsad on UDP 127.0.0.1:5060 (the
# network namespace is ours), as bench/run.sh configures it.
sipsad_conf() {
	rm -rf "$work/state"
	mkdir -p "$work/state"
	chmod 700 "$work/state"
	cat >"$1" <<EOF
# written by bench/ad-ntlm.sh
server {
	fqdn proxy.ad.example.test
	state-dir "$work/state"
}
listen udp 127.0.0.1 5060 {
	role registrar
}
auth {
	schemes ntlm
	ntlm {
$2
		netbios-domain "ADEX"
	}
}
registrar {
	domain ad.example.test
	sync none
	endpoints-per-user 8
}
# Every endpoint of the generator comes from one address: no
# per-source handshake rate, and failures never block it.
guard {
	handshake-rate 0
	source-failures 1000000
}
log {
	target stderr
	level notice
}
EOF
}

# start_sipsad NAME [WRAPPER...]: sipsad with $work/NAME.conf, its log
# in $work/NAME.log; returns when it has started.
start_sipsad() {
	local name=$1
	shift
	"$@" "$BUILD/sipsad" -D -f "$work/$name.conf" \
	    >>"$work/$name.log" 2>&1 &
	SIPSAD_PID=$!
	for _ in $(seq 1 400); do
		kill -0 "$SIPSAD_PID" 2>/dev/null ||
		    die "sipsad exited: $(tail -n 5 "$work/$name.log")"
		grep -q started "$work/$name.log" && return 0
		sleep 0.05
	done
	die "sipsad did not start within 20 s"
}

# measure PATH C REALMDIR: one sipsa-bench run against the running
# sipsad; appends a row to $work/rows.
measure() {
	local path=$1 c=$2 rdir=$3 out="$work/$1-c$2.json"
	local wb0 dc0 busy0 tot0 wb1 dc1 busy1 tot1
	wb0=$(sess_ticks "${WB_IDS[@]}")
	dc0=$(sess_ticks "${DC_IDS[@]}")
	busy0=$(busy_ticks)
	tot0=$(total_ticks)
	"$BUILD/tools/sipsa-bench" --scenario ntlm \
	    --server udp:127.0.0.1:5060 --realm-dir "$rdir" --users "$N" \
	    --concurrency "$c" --duration "$DURATION" \
	    --server-pid "$SIPSAD_PID" --json -q >"$out" \
	    2>>"$work/sipsa-bench.err" || true
	wb1=$(sess_ticks "${WB_IDS[@]}")
	dc1=$(sess_ticks "${DC_IDS[@]}")
	busy1=$(busy_ticks)
	tot1=$(total_ticks)
	[[ -s $out ]] || die "no JSON from sipsa-bench: $(tail -n 5 \
	    "$work/sipsa-bench.err")"
	python3 - "$out" "$path" "$c" "$((${wb1% *} - ${wb0% *}))" \
	    "$((${dc1% *} - ${dc0% *}))" \
	    "$((busy1 - busy0))" "$((tot1 - tot0))" "$HZ" \
	    >>"$work/rows" <<'PY'
import json, sys
out, path, c = sys.argv[1:4]
wb, dc, busy, tot, hz = (int(x) for x in sys.argv[4:9])
r = json.load(open(out))
done = max(int(r["completed"]), 1)
ad = path.startswith("winbind")
us = lambda ticks: "%.0f" % (ticks * 1e6 / hz / done) if ad else "-"
lat = r["latency_ms"]
fails = r.get("failures", {})
nf = sum(fails.values()) if isinstance(fails, dict) else int(fails or 0)
why = ",".join("%s:%d" % kv for kv in sorted(fails.items())) \
    if isinstance(fails, dict) else ""
srv, cli = r.get("server_cpu_s", 0), r.get("client_cpu_s", 0)
ours = (srv + cli) * hz + (wb + dc if ad else 0)
print("\t".join([
    path, c, "%.0f" % float(r["rate"]), "%.2f" % lat["p50"],
    "%.2f" % lat["p90"], "%.2f" % lat["p99"], "%.2f" % lat["max"],
    str(nf) + (" (" + why + ")" if why else ""),
    "%.0f" % float(r.get("server_cpu_us_per_op", -1)), us(wb), us(dc),
    "%.0f" % float(r.get("client_cpu_us_per_op", -1)),
    "%.0f (%.0f)" % (100.0 * busy / max(tot, 1),
                     100.0 * ours / max(tot, 1))]))
PY
	log "$(tail -n 1 "$work/rows")"
}

echo "machine: $(uname -srm), $(nproc) CPUs," \
    "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "samba:   $(samba -V)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (before)"
echo "runs:    $N users, concurrency $CONC, $DURATION s each, UDP"

# ---- 1. the domain
t0=$(date +%s)
AD_UP=1
env=$("$top/scripts/sipsa-ad" up "$work/ad" 2>"$work/sipsa-ad.err") ||
    die "sipsa-ad up failed: $(tail -n 5 "$work/sipsa-ad.err")"
eval "$env"
log "AD up in $(( $(date +%s) - t0 )) s"

# ---- 2. the users, in the DC's sam.ldb (the DC is running; its ldb
# takes the writes as samba-tool's would)
t1=$(date +%s)
/usr/bin/python3 - "$SIPSA_AD_DC_CONF" "$N" >"$work/users.log" 2>&1 <<'PY' ||
import sys
import ldb
from samba.auth import system_session
from samba.param import LoadParm
from samba.samdb import SamDB

conf, n = sys.argv[1], int(sys.argv[2])
lp = LoadParm()
lp.load(conf)
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
# What samba-tool domain passwordsettings set --complexity=off
# --min-pwd-length=0 --history-length=0 writes: userKpw is short.
m = ldb.Message()
m.dn = ldb.Dn(db, str(db.domain_dn()))
for k, v in (("pwdProperties", "0"), ("minPwdLength", "0"),
             ("pwdHistoryLength", "0")):
    m[k] = ldb.MessageElement(v, ldb.FLAG_MOD_REPLACE, k)
db.modify(m)
for k in range(1, n + 1):
    db.newuser("user%d" % k, "user%dpw" % k)
PY
    die "users: $(tail -n 5 "$work/users.log")"
log "$N domain users in $(( $(date +%s) - t1 )) s"
in_member() {
	nsenter --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" -- "$@"
}
in_member wbinfo -a "ADEX\\user$N%user${N}pw" >"$work/wbinfo.log" 2>&1 ||
    die "wbinfo -a ADEX\\user$N failed: $(cat "$work/wbinfo.log")"

# The generator's view of the domain: realm.env, the DC's krb5.conf and
# gss-ntlmssp (the client side of NTLM).
NTLM_SO=${SIPSA_NTLM_SO:-/usr/lib/x86_64-linux-gnu/gssntlmssp/gssntlmssp.so}
mkdir -p "$work/adrealm"
cat >"$work/adrealm/realm.env" <<EOF
USERS=$N
FQDN=$SIPSA_AD_FQDN
REALM=$SIPSA_AD_REALM
NETBIOS=$SIPSA_AD_DOMAIN
EOF
cp "$SIPSA_AD_DIR/krb5.conf" "$work/adrealm/krb5.conf"
printf 'gssntlmssp_v1\t1.3.6.1.4.1.311.2.2.10\t%s\n' "$NTLM_SO" \
    >"$work/adrealm/gss-mech.conf"

# Whose CPU counts: the member's winbindd and its children (and the
# samba-dcerpcd it may start); the DC: samba and every process of its
# sessions, its own winbindd included.  The pid files name the session
# leaders.
count_ids() {
	local f
	WB_IDS=("$SIPSA_AD_MEMBER_WINBINDD_PID")
	for f in "$SIPSA_AD_DIR"/member/run/*.pid; do
		[[ -s $f ]] && WB_IDS+=("$(cat "$f")")
	done
	DC_IDS=("$SIPSA_AD_DC_PID")
	for f in "$SIPSA_AD_DIR"/dc/run/*.pid; do
		[[ -s $f ]] && DC_IDS+=("$(cat "$f")")
	done
	x=$(sess_ticks "${WB_IDS[@]}")
	y=$(sess_ticks "${DC_IDS[@]}")
	log "CPU counted of ${x#* } winbindd processes, ${y#* } of the DC"
}
count_ids

# winbind_conns K: the member's winbindd started again with "winbind
# max domain connections = K" (Samba's default is 1: one child process
# and one Netlogon connection to the DC for the domain, through which
# every authentication goes in turn).  A restart, not reload-config:
# Samba 4.17's winbindd crashed under load after a reload that raised
# it.  sipsa-ad down stops the new one by its pid file.
winbind_conns() {
	local mb=$SIPSA_AD_DIR/member
	"$top/scripts/sipsa-ad" winbind-stop "$SIPSA_AD_DIR"
	sed -i -e '/winbind max domain connections/d' \
	    -e "/^\[global\]/a\\\twinbind max domain connections = $1" \
	    "$SIPSA_AD_MEMBER_CONF"
	rm -f "$mb/run/winbindd.pid"
	nsenter --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" -- \
	    setsid winbindd -s "$SIPSA_AD_MEMBER_CONF" -F --debug-stdout \
	    --no-process-group >>"$mb/winbindd.out" 2>&1 </dev/null &
	SIPSA_AD_MEMBER_WINBINDD_PID=$!
	echo "$!" >"$SIPSA_AD_DIR/member-winbindd.pid"
	for _ in $(seq 1 300); do
		[[ -s $mb/run/winbindd.pid ]] &&
		    in_member wbinfo --ping-dc >/dev/null 2>&1 && break
		kill -0 "$SIPSA_AD_MEMBER_WINBINDD_PID" 2>/dev/null ||
		    die "winbindd exited: $(tail -n 5 "$mb/winbindd.out")"
		sleep 0.1
	done
	in_member wbinfo -a "ADEX\\user1%user1pw" >"$work/wbinfo.log" 2>&1 ||
	    die "wbinfo -a ADEX\\user1 failed: $(cat "$work/wbinfo.log")"
	count_ids
}

# ---- 3. the user file: a throwaway realm with the same users
REALM_UP=1
"$top/scripts/sipsa-realm" up "$work/realm" --users "$N" --passwords 1 \
    --fqdn "$SIPSA_AD_FQDN" --realm "$SIPSA_AD_REALM" \
    --netbios "$SIPSA_AD_DOMAIN" >/dev/null 2>"$work/sipsa-realm.err" ||
    die "sipsa-realm up failed: $(tail -n 5 "$work/sipsa-realm.err")"

# ---- 4. the runs
: >"$work/rows"
# runs PATH REALMDIR [WRAPPER...]: one sipsa-bench run per concurrency,
# each against a fresh sipsad.
runs() {
	local path=$1 rdir=$2 c
	shift 2
	for c in $CONC; do
		start_sipsad "$path" "$@"
		measure "$path" "$c" "$rdir"
		stop_sipsad
	done
}
sipsad_conf "$work/winbind.conf" $'\t\tusers winbind'
runs winbind "$work/adrealm" nsenter \
    --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" --
sipsad_conf "$work/file.conf" \
    $'\t\tusers file "'"$work/realm/ntlm_users.smbpasswd"'"'
runs file "$work/realm"
if [[ $CONNS -gt 1 ]]; then
	winbind_conns "$CONNS"
	cp "$work/winbind.conf" "$work/winbind-$CONNS.conf"
	runs "winbind-$CONNS" "$work/adrealm" nsenter \
	    --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" --
fi
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (after)"
for f in "$work"/*.log; do
	case $f in */winbind*.log|*/file.log) ;; *) continue ;; esac
	echo "sipsad log $(basename "$f"): $(grep -c 'handshake failed' \
	    "$f" || true) failed handshakes, $(grep -ci 'warn\|error' \
	    "$f" || true) warnings or errors"
done
if grep -q PANIC "$SIPSA_AD_DIR/member/winbindd.out"; then
	echo "the member's winbindd crashed: see member-winbindd.out"
fi
echo

# ---- 5. the table
{
	printf 'users\tclients\thandshakes/s\tp50 ms\tp90 ms\tp99 ms'
	printf '\tmax ms\terrors\tsipsad us/hs\twinbindd us/hs\tDC us/hs'
	printf '\tclient us/hs\tbusy %% (ours)\n'
	cat "$work/rows"
} | column -t -s $'\t'
echo
echo "us/hs: CPU microseconds per handshake (user + system); winbindd:"
echo "the member's winbindd and its children; DC: every process of the"
echo "samba DC; client: sipsa-bench.  busy: all $(nproc) CPUs, idle and"
echo "iowait excluded; (ours): the part of it that sipsad, winbindd, the DC"
echo "and sipsa-bench used (the rest: other processes, interrupts)."
