#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench/run.sh: the peer benchmark of issue 6 in one command.  Kamailio as a
# Digest registrar loaded by SIPp (the anchor), the Sofia-SIP floor
# (bench/nta-floor) loaded by SIPp, and sipsad loaded by tools/sipsa-bench
# (ntlm, kerberos, refresh, message; skipped with a note until that tool is
# built), each over TCP and TLS by default (--transports udp,tcp,tls) with
# 2000 long-lived connections (--connections).  Per server: the highest
# rate sustained for 10 s with zero failures, server CPU microseconds per
# operation, memory, p99 latency at half that rate; one table, ratios to
# Kamailio over the same transport; the server CPU of a TLS handshake.
# sipsad's memory per SA with 100,000 NTLM SAs held on request (--only
# sipsad-sa-memory-ntlm).  See bench/README.md ("The peer benchmark") and
# doc/benchmarks.md.
#
#   bench/run.sh [--json] [--only kamailio,nta-floor,...] [--keep DIR]
#
# Run it from a configured build directory (or pass --build DIR).  Needs 2
# cores, kamailio (and its tls module), sipp, stunnel, tcpdump:
# scripts/install-deps --bench installs them.  The knobs (--transports,
# --connections, --ramp, --hold, --probe, --start, --fill, --holds,
# --sa-count, --users, --sipsad-users) are in bench/peers.py.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
for tool in kamailio sipp taskset python3; do
	if ! command -v "$tool" >/dev/null 2>&1 &&
	    ! [ -x "/usr/sbin/$tool" ]; then
		echo "run.sh: $tool is missing (scripts/install-deps --bench)" >&2
		exit 2
	fi
done
if [ "$(nproc)" -lt 2 ]; then
	echo "run.sh: needs 2 CPUs (server and load generator apart)" >&2
	exit 2
fi
PATH=$PATH:/usr/sbin:/sbin
export PATH
exec python3 "$here/peers.py" "$@"
