# SPDX-License-Identifier: BSD-2-Clause
# tests/ad/lib.sh: tests against a real Active Directory (a Samba AD DC
# and a joined domain member, scripts/sipsa-ad), on top of
# tests/integration/lib.sh.  Sourced by tests/ad/t-*.sh.
#
# On sourcing, a test not yet in its private namespaces runs itself
# again under unshare (private network and mount namespaces, as root:
# without root the test fails, it is never skipped), and the outer
# process checks afterwards that the host's /run/samba is as before.
# Inside, lo is up and carries 127.0.0.2 (the member host); then:
#
#   ad_up [ARGS]      scripts/sipsa-ad up $T/ad ARGS (e.g. --no-member),
#                     its variables exported (SIPSA_AD_*, KRB5_CONFIG,
#                     KRB5CCNAME); stopped by PID at exit, pass or fail
#   in_member CMD...  CMD in the member's mount namespace, where
#                     libwbclient reaches the member's winbindd (wbinfo,
#                     sipsad with gss-ntlmssp in winbind mode)
#   ad_status OUT     the NT status (NT_STATUS_...) in wbinfo's output OUT
#   ad_sipsad_conf    $T/sipsa.conf for sipsad as a member of the domain,
#                     run by start_sipsad in the member's mount namespace
#   ad_dc_stop, ad_dc_cont, ad_member_winbind_stop   the DC or winbind
#                     out of service
#
# The DC's files come from a template in $SIPSA_AD_CACHE (default
# $top_builddir/tests/ad/cache, removed by make clean; set it empty to
# provision every time).  KEEP_TMP=1 keeps $T/ad (DC and member logs:
# dc/samba.out, member/winbindd.out, member/join.log).

[ -z "${SIPSA_AD_LIB:-}" ] || return 0
SIPSA_AD_LIB=1
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
AD_TOOL=$top_srcdir/scripts/sipsa-ad
PATH=$PATH:/usr/sbin:/sbin
# The template of a provisioned DC, made by the first test that needs it
# and copied by the others (SIPSA_AD_CACHE= provisions every time).
SIPSA_AD_CACHE=${SIPSA_AD_CACHE-$top_builddir/tests/ad/cache}
export SIPSA_AD_CACHE

# The host's /run/samba: names and times, to compare after the test.
ad_host_run_samba() {
	ls -lA --time-style=+%s /run/samba 2>/dev/null | cksum
}

if [ -z "${SIPSA_AD_NS:-}" ]; then
	h_name=${TEST_NAME:-$(basename "$0" .sh)}
	if [ "$(id -u)" -ne 0 ]; then
		echo "$h_name: FAIL: needs root (private network and mount" \
		    "namespaces)" >&2
		exit 1
	fi
	command -v unshare >/dev/null 2>&1 ||
	    { echo "$h_name: FAIL: unshare is not installed" >&2; exit 1; }
	h_before=$(ad_host_run_samba)
	SIPSA_AD_NS=1 unshare --mount --net --fork --propagation private \
	    --kill-child=TERM -- /bin/sh "$0" "$@" &
	h_pid=$!
	trap 'kill -TERM $h_pid 2>/dev/null' INT TERM HUP
	h_rc=0
	wait "$h_pid" || h_rc=$?
	# A signal ends the first wait early: the test is still cleaning up.
	while kill -0 "$h_pid" 2>/dev/null; do
		h_rc=0
		wait "$h_pid" || h_rc=$?
	done
	if [ "$(ad_host_run_samba)" != "$h_before" ]; then
		echo "$h_name: FAIL: the host's /run/samba changed" >&2
		ls -lA /run/samba >&2
		exit 1
	fi
	exit "$h_rc"
fi

. "$top_srcdir/tests/integration/lib.sh"

ip link set lo up || fail "cannot bring lo up"
ip -4 addr show dev lo | grep -q 'inet 127\.0\.0\.2/' ||
    ip addr add 127.0.0.2/8 dev lo || fail "cannot add 127.0.0.2 to lo"

AD_UP=
ad_down() {
	[ -n "$AD_UP" ] || return 0
	"$AD_TOOL" down "$T/ad" >>"$T/ad.err" 2>&1 || {
		echo "$TEST_NAME: FAIL: sipsa-ad down failed:" >&2
		tail -n 5 "$T/ad.err" >&2
		[ $rc -ne 0 ] || rc=1
	}
}
on_exit ad_down

ad_diag() {
	[ -n "$AD_UP" ] || return 0
	echo "---- sipsa-ad up"
	cat "$T/ad.err" 2>/dev/null
	for h_f in dc/samba.out member/join.log member/winbindd.out; do
		if [ -s "$T/ad/$h_f" ]; then
			echo "---- last lines of $h_f"
			tail -n 20 "$T/ad/$h_f"
		fi
	done
}
on_fail ad_diag

ad_up() {
	need_tool samba samba-tool net winbindd wbinfo kinit klist ktutil \
	    kvno ldbsearch nsenter
	AD_UP=1
	h_env=$("$AD_TOOL" up "$T/ad" "$@" 2>"$T/ad.err") ||
	    fail "sipsa-ad up failed: $(tail -n 5 "$T/ad.err")"
	eval "$h_env"
	sed -n "s/^sipsa-ad: /$TEST_NAME: AD: /p" "$T/ad.err"
}

in_member() {
	[ -n "${SIPSA_AD_MEMBER_NS_PID:-}" ] ||
	    fail "in_member: no domain member (ad_up --no-member?)"
	nsenter --mount="/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt" -- "$@"
}

ad_status() {
	printf '%s\n' "$1" | grep -o 'NT_STATUS_[A-Z_]*' | head -n 1
}

# ad_sipsad_conf [LEVEL]: ports, a certificate for the server's name and
# $T/sipsa.conf for sipsad as a member of the domain: fqdn AD_FQDN
# (default $SIPSA_AD_FQDN), Kerberos with AD_KEYTAB (default
# $SIPSA_AD_KEYTAB), NTLM through winbind (AD_NTLM_EXTRA: more lines of
# its block); registrar for the DNS domain.  AD_AUTH_EXTRA: more lines
# of the auth block; AD_UDP_EXTRA, AD_TLS_EXTRA: of the UDP and TLS
# listen blocks; CONF_EXTRA: more statements at the end.
# With a member (ad_up without --no-member), start_sipsad runs sipsad in
# its mount namespace, where libwbclient reaches the member's winbindd.
ad_sipsad_conf() {
	h_fqdn=${AD_FQDN:-$SIPSA_AD_FQDN}
	[ -n "${PORT:-}" ] || pick_ports
	if [ ! -f "$T/tls.crt" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
		    -subj "/CN=$SIPSA_AD_FQDN" -addext "subjectAltName=DNS:$SIPSA_AD_FQDN,DNS:$SIPSA_AD_FQDN_RC4,IP:127.0.0.1" \
		    -keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1 ||
		    fail "openssl could not make a certificate"
		chmod 600 "$T/tls.key" "$T/tls.crt"
	fi
	mkdir -p "$T/state"
	chmod 700 "$T/state"
	cat >"$T/sipsa.conf" <<CONF
# sipsad as a member of $SIPSA_AD_DOMAIN (tests/ad/lib.sh)
server {
	fqdn $h_fqdn
	state-dir "$T/state"
}
listen udp 127.0.0.1 $PORT {
	role registrar
	${AD_UDP_EXTRA:-}
}
listen tcp 127.0.0.1 $PORT {
	role registrar
}
listen tls 127.0.0.1 $TLS_PORT {
	role registrar
	certificate "$T/tls.crt"
	key "$T/tls.key"
	${AD_TLS_EXTRA:-}
}
auth {
	schemes kerberos ntlm
	${AD_AUTH_EXTRA:-}
	kerberos {
		keytab "${AD_KEYTAB:-$SIPSA_AD_KEYTAB}"
	}
	ntlm {
		users winbind
		netbios-domain "$SIPSA_AD_DOMAIN"
		${AD_NTLM_EXTRA:-}
	}
}
registrar {
	domain $SIPSA_AD_DNS_DOMAIN
}
log {
	target stderr
	level ${1:-info}
}
${CONF_EXTRA:-}
CONF
	if [ -n "${SIPSA_AD_MEMBER_NS_PID:-}" ]; then
		SIPSAD_WRAPPER="nsenter --mount=/proc/$SIPSA_AD_MEMBER_NS_PID/ns/mnt --"
	else
		SIPSAD_WRAPPER=
	fi
}

# ad_directory [LINES]: a directory block for sipsa.conf (CONF_EXTRA)
# that looks the domain's accounts up in the DC as sipsvc, reading SIP
# addresses from proxyAddresses and mail (alice's and carol's, made by
# scripts/sipsa-ad); LINES: more statements of the block.
ad_directory() {
	printf 'directory {\n\turi ldap://%s\n\tbase "%s"\n' \
	    "$SIPSA_AD_DC_FQDN" \
	    "$(printf 'DC=%s' "$SIPSA_AD_DNS_DOMAIN" | sed 's/\./,DC=/g')"
	printf '\tprincipal sipsvc@%s\n' "$SIPSA_AD_REALM"
	printf '\tattributes msRTCSIP-PrimaryUserAddress proxyAddresses mail\n'
	printf '%s\n}\n' "${1:-}"
}

# ad_dc_stop, ad_dc_cont: the DC stops answering (SIGSTOP to all its
# processes), then answers again.  ad_member_winbind_stop: the member's
# winbindd is gone.
ad_dc_stop() { "$AD_TOOL" dc-stop "$T/ad" || fail "cannot stop the DC"; }
ad_dc_cont() { "$AD_TOOL" dc-cont "$T/ad" || fail "cannot continue the DC"; }
ad_member_winbind_stop() {
	"$AD_TOOL" winbind-stop "$T/ad" || fail "cannot stop winbindd"
}
