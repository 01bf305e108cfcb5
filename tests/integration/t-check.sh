#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# sipsad -n: the keytab line and "configuration OK", status 0 for a good
# file; every error in file:line:col form on stderr, nothing on stdout and
# status 1 for a bad one; -n -v prints the effective configuration, which
# reads back.
. "$top_srcdir/tests/integration/lib.sh"

setup
good=$T/sipsa.conf

out=$("$SIPSAD" -n -f "$good" 2>"$T/err") || fail "-n on a good file failed: $(cat "$T/err")"
# The keytab's keys of sip/<fqdn> (t-keytab.sh), then the verdict.
kt="keytab $SIPSA_REALM_DIR/sip.keytab: sip/proxy.example.test@$SIPSA_REALM"
[ "$out" = "$kt kvno 2 aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96
configuration OK" ] || fail "-n printed: $out"
[ ! -s "$T/err" ] || fail "-n wrote to stderr: $(cat "$T/err")"

# -v: the effective configuration, then the verdict; it parses again.
"$SIPSAD" -n -v -f "$good" >"$T/dump" 2>"$T/err" || fail "-n -v failed"
[ "$(tail -n 1 "$T/dump")" = "configuration OK" ] || fail "-n -v verdict"
[ "$(wc -l <"$T/dump")" -gt 5 ] || fail "-n -v printed no configuration"
sed '$d' "$T/dump" >"$T/dumped.conf"
out=$("$SIPSAD" -n -f "$T/dumped.conf" 2>&1) ||
    fail "the -v output does not read back: $out"

# A bad file: two errors at known places.
bad=$T/bad.conf
n=$(wc -l <"$good")
{ cat "$good"; echo "frobnicate yes"; echo "log {"; echo "	level loud"; echo "}"; } >"$bad"
rc=0
out=$("$SIPSAD" -n -f "$bad" 2>"$T/err") || rc=$?
[ "$rc" -eq 1 ] || fail "-n on a bad file: status $rc, not 1"
[ -z "$out" ] || fail "-n on a bad file printed on stdout: $out"
grep -q "^$bad:$((n + 1)):1: " "$T/err" || fail "no error at line $((n + 1)): $(cat "$T/err")"
grep -q "^$bad:$((n + 3)):[0-9]*: " "$T/err" || fail "no error at line $((n + 3)): $(cat "$T/err")"
grep -v -q "^$bad:[0-9]*:[0-9]*: " "$T/err" &&
    fail "a stderr line not in file:line:col form: $(cat "$T/err")"

# A missing file and a world-readable TLS key are refused too.
rc=0
"$SIPSAD" -n -f "$T/nonexistent.conf" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] || fail "-n on a missing file: status $rc"
grep -q "nonexistent.conf" "$T/err" || fail "missing file not named"
# ... and said to mean "not set up yet" (the package ships only the sample).
grep -q "^sipsad: $T/nonexistent.conf does not exist: sipsa is not set up" \
    "$T/err" || fail "no set-up hint for a missing file: $(cat "$T/err")"
# Started (not -n) without it: the same, and sipsad does not start.
rc=0
"$SIPSAD" -D -f "$T/nonexistent.conf" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] || fail "started without a configuration: status $rc"
grep -q "$T/nonexistent.conf does not exist: sipsa is not set up" \
    "$T/err" || fail "no set-up hint at start: $(cat "$T/err")"
chmod 644 "$T/tls.key"
rc=0
"$SIPSAD" -n -f "$good" >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] || fail "-n accepted a world-readable key (status $rc)"
grep -q "tls.key" "$T/err" || fail "the readable key is not named: $(cat "$T/err")"

# A bad command line is a usage error.
rc=0
"$SIPSAD" -Z >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "unknown option: status $rc"
log "ok"
