#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Prometheus endpoint (metrics { listen }, doc/metrics.md): after real
# sign-ins (NTLM and Kerberos, one wrong password), GET /metrics answers
# the text exposition format that promtool accepts, with the attempts by
# scheme, result and reason, the requests by method and status, the SAs,
# the request duration histogram and the process metrics; other paths get
# 404.  Then a real Prometheus server scrapes sipsad and the value is read
# back through its HTTP API.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/client.sh"
need_tool promtool prometheus python3
setup
MPORT=$(free_port)
printf 'metrics {\n\tlisten 127.0.0.1 %s\n}\n' "$MPORT" >>"$T/sipsa.conf"
start_sipsad
wait_log "metrics on http://127.0.0.1:$MPORT/metrics"

SIPSA_PASSWORD=user1pw client -u 'EXAMPLE\user1' -s "127.0.0.1:$PORT" \
    sip:user1@example.test
expect_rc 0 "user1 with NTLM"
SIPSA_PASSWORD=wrong client -u 'EXAMPLE\user2' -s "127.0.0.1:$PORT" \
    sip:user2@example.test
expect_rc 2 "user2, wrong password"
client -a kerberos --keytab "$SIPSA_REALM_DIR/user3.keytab" \
    --principal user3@EXAMPLE.TEST -t udp -s "127.0.0.1:$PORT" \
    sip:user3@example.test
expect_rc 0 "user3 with Kerberos"

# get URL FILE: the body in FILE, the HTTP status on stdout.
get() {
	python3 - "$1" "$2" <<'PY'
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
        open(sys.argv[2], "wb").write(r.read())
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
}
M=$T/metrics.txt
[ "$(get "http://127.0.0.1:$MPORT/metrics" "$M")" = 200 ] ||
    fail "GET /metrics did not answer 200"
promtool check metrics <"$M" >"$T/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(cat "$T/promtool.out")"
log "promtool check metrics: passes ($(grep -c '^# TYPE' "$M") families)"
expect_in "$M" '^sipsa_auth_attempts_total\{scheme="NTLM",result="ok",reason=""\} 1$' "NTLM ok"
expect_in "$M" '^sipsa_auth_attempts_total\{scheme="Kerberos",result="ok",reason=""\} 1$' "Kerberos ok"
expect_in "$M" '^sipsa_auth_attempts_total\{scheme="NTLM",result="fail",reason="BAD_PASSWORD"\} 1$' "NTLM fail"
expect_in "$M" '^sipsa_requests_total\{method="REGISTER",status="401"\} [1-9]' "401s"
expect_in "$M" '^sipsa_requests_total\{method="REGISTER",status="200"\} [1-9]' "200s"
expect_in "$M" '^sipsa_security_associations\{scheme="NTLM",state="established"\} [0-9]' "NTLM SAs"
expect_in "$M" '^sipsa_security_associations\{scheme="Kerberos",state="half_open"\} 0$' "Kerberos half-open SAs"
expect_in "$M" '^sipsa_handshake_duration_seconds_count\{scheme="NTLM"\} 1$' "NTLM handshake histogram"
expect_in "$M" '^sipsa_handshake_duration_seconds_count\{scheme="Kerberos"\} 1$' "Kerberos handshake histogram"
expect_in "$M" '^sipsa_binding_store_write_seconds_count [1-9]' "store writes"
expect_in "$M" '^sipsa_signatures_total\{result="verified",reason=""\} [1-9]' "signatures verified"
expect_in "$M" '^sipsa_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]' "histogram"
expect_in "$M" '^# TYPE sipsa_request_duration_seconds histogram$' "histogram type"
expect_in "$M" '^sipsa_connections\{transport="tcp"\} [0-9]+$' "TCP connections"
expect_in "$M" '^sipsa_connections\{transport="tls"\} 0$' "TLS connections"
expect_in "$M" '^sipsa_bindings [0-9]+$' "bindings"
expect_in "$M" '^process_resident_memory_bytes [1-9]' "RSS"
expect_in "$M" '^process_open_fds [1-9]' "fds"
[ "$(get "http://127.0.0.1:$MPORT/other" "$T/other")" = 404 ] ||
    fail "GET /other did not answer 404"

# A real Prometheus scrapes it every second; its API gives the value back.
PPORT=$(free_port)
cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: sipsad
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
YML
promtool check config "$T/prometheus.yml" >"$T/pc.out" 2>&1 ||
    fail "promtool check config: $(cat "$T/pc.out")"
prometheus --config.file="$T/prometheus.yml" \
    --storage.tsdb.path="$T/prom" --web.listen-address="127.0.0.1:$PPORT" \
    >"$T/prometheus.log" 2>&1 &
stop_at_exit $!
q='sum(sipsa_auth_attempts_total{job="sipsad",result="ok"})'
url="http://127.0.0.1:$PPORT/api/v1/query?query=$(python3 -c \
    'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$q")"
got=
i=0
while [ $i -lt 60 ]; do
	if [ "$(get "$url" "$T/q.json" 2>/dev/null)" = 200 ]; then
		got=$(python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["data"]["result"]
print(r[0]["value"][1] if r else "")' "$T/q.json")
		[ -n "$got" ] && break
	fi
	i=$((i + 1))
	sleep 0.5
done
[ "$got" = 2 ] || fail "Prometheus read '$got' for $q, not 2 ($(tail -n 5 "$T/prometheus.log"))"
log "Prometheus scraped sipsad: $q = $got"
stop_sipsad
