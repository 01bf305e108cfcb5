#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# SIGHUP re-reads the configuration.  A broken file is reported line by
# line in file:line:col form and the daemon keeps serving on the old one;
# a good file with a new log level takes effect; a listener change and a
# change of the binding store's sync mode are reported as needing a
# restart.
. "$top_srcdir/tests/integration/lib.sh"

setup info
start_sipsad
conf=$T/sipsa.conf
good=$T/good.conf
cp "$conf" "$good"

# 1. Broken: an unknown directive and a bad log level.
nlines=$(wc -l <"$good")
{
	cat "$good"
	echo "frobnicate yes"
	echo "log {"
	echo "	level loud"
	echo "}"
} >"$conf"
kill -HUP "$SIPSAD_PID"
wait_log "keeping the running configuration"
log_has "\[err\] proxy: $conf:$((nlines + 1)):1: " ||
    fail "no file:line:col error for line $((nlines + 1))"
log_has "\[err\] proxy: $conf:$((nlines + 3)):[0-9]+: " ||
    fail "no file:line:col error for line $((nlines + 3))"
alive "$SIPSAD_PID" || fail "sipsad died on a broken configuration"
for tp in udp tcp tls; do
	out=$(sipreq "$tp" OPTIONS) || fail "no answer over $tp after bad reload"
	expect_status "$out" 200
done
log_has "proxy: OPTIONS call-id=" && fail "debug lines at level info"

# 2. Good, with level debug and a new realm: applied without a restart.
AUTH_REALM="sipsa reload test" conf_template debug >"$conf"
kill -HUP "$SIPSAD_PID"
wait_log "log level info -> debug"
wait_log 'auth realm: "sipsa reload test"'
wait_log "configuration reloaded"
out=$(sipreq tcp OPTIONS) || fail "no answer after the good reload"
expect_status "$out" 200
wait_log "\[debug\] proxy: OPTIONS call-id="

# 3. A listener change needs a restart: said in the log, old ports serve.
old=$PORT
PORT=$((PORT + 2))
conf_template debug >"$conf"
PORT=$old
kill -HUP "$SIPSAD_PID"
wait_log "new listener udp 127.0.0.1:$((old + 2)): needs a restart"
wait_log "listener udp 127.0.0.1:$old removed or changed: needs a restart"
out=$(sipreq udp OPTIONS) || fail "no answer on the old port"
expect_status "$out" 200

# 4. So does the binding store's sync mode; sipsad keeps serving.
{
	conf_template debug
	printf 'registrar {\n\tsync none\n}\n'
} >"$conf"
kill -HUP "$SIPSAD_PID"
wait_log "binding store sync changed: needs a restart"
out=$(sipreq tcp OPTIONS) || fail "no answer after the sync change"
expect_status "$out" 200
log "ok"
