#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIPp against sipsad's authentication step (tests/sipp/register-*.xml):
# the 401 and 407 challenge paths and the NTLM first leg, then the
# malformed and hostile REGISTERs, each of which must get a clean error
# while the daemon stays up and keeps answering a plain REGISTER with a
# 401.  Finally the hostile set once more with sipsad under valgrind:
# no memory error, nothing definitely lost.
. "$top_srcdir/tests/integration/lib.sh"

# The hostile families, each run over TCP (one message however long) and
# UDP (where the message fits a datagram).
HOSTILE="register-bad-gssapi.xml"

need_tool sipp
setup

# hostile: every hostile scenario, then the daemon must still be there.
hostile() {
	for scen in $HOSTILE; do
		run_sipp "$scen" t1
		run_sipp "$scen" u1
		alive "$SIPSAD_PID" || fail "sipsad died during $scen"
	done
	run_sipp register-challenge-401.xml t1
}

# The challenge path, registrar role.
start_sipsad
for tp in u1 t1; do
	run_sipp register-challenge-401.xml "$tp"
	run_sipp register-ntlm-leg1.xml "$tp"
done
hostile

# The challenge path, proxy role.
stop_pid "$SIPSAD_PID"
SIPSAD_PID=
conf_template info proxy >"$T/sipsa.conf"
start_sipsad
for tp in u1 t1; do
	run_sipp register-challenge-407.xml "$tp"
done
log "ok"
