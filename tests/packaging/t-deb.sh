#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The Debian package (debian/, doc/packaging.md):
# - dpkg-buildpackage -b builds sipsa and sipsa-tools from the files of
#   the tarball (make distdir), in $T, without the unit tests (nocheck);
# - lintian finds no error in them (and does find one in a copy of the
#   sipsa package stripped of its copyright file);
# - each file is in its package and place: the daemon and sipsactl in
#   /usr/sbin, the unit with /usr/sbin and /etc paths, the sample
#   configuration in /etc/sipsa (a conffile) and no sipsa.conf, the tools
#   and their man pages in sipsa-tools;
# - installed on this machine (as root, when neither package nor
#   /etc/sipsa, /var/lib/sipsa or a sipsa account are here yet): the
#   sipsa account and /var/lib/sipsa exist, the unit is enabled and
#   passes systemd-analyze verify, "sipsad -n" refuses until sipsa.conf
#   exists and says how to set it up, and accepts a copy of the sample
#   with the built-in state-dir /var/lib/sipsa; apt-get remove, a second
#   install and a purge leave the admin's files in /etc/sipsa and
#   /var/lib/sipsa alone.  The exit hook purges the packages and removes
#   what the test made, pass or fail.  Elsewhere the packages are only
#   extracted into $T, their maintainer scripts untested (CI=true: fail).
. "$top_srcdir/tests/lib.sh"
need_tool dpkg-buildpackage dpkg-parsechangelog dpkg-deb dh lintian

version=$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
src=$T/src/sipsa-$version
mkdir -p "$T/src"

# ---- build
# The parent make's flags (jobserver, TESTS=...) and CI stay out of the
# package build; debian/rules also unexports CI.
make -C "$top_builddir" distdir distdir="$src" >"$T/distdir.log" 2>&1 ||
    { tail -n 20 "$T/distdir.log" >&2; fail "make distdir failed"; }
start=$(date +%s)
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u CI \
    DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1 ||
    { tail -n 40 "$T/build.log" >&2; fail "dpkg-buildpackage failed"; }
log "dpkg-buildpackage -b: built in $(($(date +%s) - start)) s"
deb=$T/src/sipsa_${version}_$arch.deb
tools=$T/src/sipsa-tools_${version}_$arch.deb
changes=$T/src/sipsa_${version}_$arch.changes
for f in "$deb" "$tools" "$changes"; do
	[ -f "$f" ] || fail "$(basename "$f") not built: $(ls "$T/src")"
done

# ---- lintian: no error (warnings and notes are printed, not fatal)
lintian --fail-on error "$changes" >"$T/lintian.log" 2>&1 ||
    { cat "$T/lintian.log" >&2; fail "lintian reports errors"; }
grep -E '^[EWIP]: ' "$T/lintian.log" | sed "s/^/$TEST_NAME: lintian: /"
# The check can fail: without debian/copyright, lintian has an error.
dpkg-deb -R "$deb" "$T/broken"
rm "$T/broken/usr/share/doc/sipsa/copyright"
dpkg-deb -b "$T/broken" "$T/broken.deb" >/dev/null
if lintian --fail-on error "$T/broken.deb" >"$T/lintian-broken.log" 2>&1
then
	fail "lintian passed a package without a copyright file"
fi
expect_in "$T/lintian-broken.log" '^E: .*no-copyright-file' \
    "lintian on a package without a copyright file"
log "lintian: no error; one in a copy without copyright"

# ---- contents
dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$T/sipsa.list"
dpkg-deb -c "$tools" | awk '{ print $NF }' | sed 's|^\./|/|' \
    >"$T/tools.list"
for f in /usr/sbin/sipsad /usr/sbin/sipsactl \
    /lib/systemd/system/sipsad.service /etc/sipsa/sipsa.conf.sample \
    /usr/share/man/man8/sipsad.8.gz /usr/share/man/man8/sipsactl.8.gz \
    /usr/share/man/man5/sipsa.conf.5.gz /usr/share/doc/sipsa/copyright; do
	grep -qx "$f" "$T/sipsa.list" || fail "sipsa lacks $f"
done
for f in /usr/bin/sipsa-client /usr/bin/sipsa-bench \
    /usr/share/man/man1/sipsa-client.1.gz \
    /usr/share/man/man1/sipsa-bench.1.gz; do
	grep -qx "$f" "$T/tools.list" || fail "sipsa-tools lacks $f"
done
expect_not_in "$T/sipsa.list" '^/etc/sipsa/sipsa\.conf$' \
    "the package must not ship a configuration that serves"
expect_not_in "$T/sipsa.list" 'sipsa-(client|bench)' "tools in sipsa"
expect_not_in "$T/tools.list" '/sbin/' "daemon files in sipsa-tools"
dpkg-deb -e "$deb" "$T/control"
grep -qx /etc/sipsa/sipsa.conf.sample "$T/control/conffiles" ||
    fail "the sample is no conffile: $(cat "$T/control/conffiles")"
dpkg-deb -x "$deb" "$T/root"
dpkg-deb -x "$tools" "$T/root"
unit=$T/root/lib/systemd/system/sipsad.service
expect_in "$unit" '^ExecStart=/usr/sbin/sipsad -D -f /etc/sipsa/sipsa.conf$' \
    "ExecStart with the package's paths"
expect_in "$unit" \
    '^ExecStartPre=/usr/sbin/sipsad -n -f /etc/sipsa/sipsa.conf$' \
    "ExecStartPre with the package's paths"
expect_in "$unit" '^ConditionPathExists=/etc/sipsa/sipsa.conf$' \
    "the unit waits for sipsa.conf"
expect_in "$unit" '^User=sipsa$' "the unit's user"
log "contents: sipsa $(wc -l <"$T/sipsa.list") entries," \
    "sipsa-tools $(wc -l <"$T/tools.list"); unit paths /usr/sbin, /etc"

# What sipsad -n says without the file CONF, and that a copy of the
# sample is accepted, with state-dir /var/lib/sipsa unless the file says
# otherwise.  run_sipsad runs the sipsad under test.
refuses() {
	if run_sipsad -n -f "$1" >"$T/n.out" 2>&1; then
		fail "sipsad -n accepted a missing $1"
	fi
	expect_in "$T/n.out" "^sipsad: $1 does not exist: sipsa is not set up" \
	    "sipsad -n without $1"
}
accepts_sample() {
	grep -Ev '^[[:space:]]*(state-dir|replay-cache|store) ' \
	    "$1.sample" >"$1"
	run_sipsad -n -v -f "$1" >"$T/n.out" 2>&1 ||
	    { cat "$T/n.out" >&2; fail "sipsad -n refused the sample"; }
	expect_in "$T/n.out" '^configuration OK$' "sipsad -n on the sample"
	expect_in "$T/n.out" '^	state-dir "/var/lib/sipsa"$' \
	    "the built-in state-dir"
}

# ---- installed on this machine, or only extracted
installed=
pkg_state() {
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || :
}
why_not=
if [ "$(id -u)" -ne 0 ]; then
	why_not="not root"
elif ! command -v apt-get >/dev/null 2>&1; then
	why_not="no apt-get"
else
	for p in sipsa sipsa-tools; do
		case $(pkg_state "$p") in
		''|not-installed) ;;
		*) why_not="$p is already installed ($(pkg_state "$p"))" ;;
		esac
	done
	for d in /etc/sipsa /var/lib/sipsa; do
		[ ! -e "$d" ] || why_not="$d exists"
	done
	! getent passwd sipsa >/dev/null || why_not="a sipsa account exists"
	! getent group sipsa >/dev/null || why_not="a sipsa group exists"
fi

if [ -n "$why_not" ]; then
	[ "${CI:-}" != true ] ||
	    fail "cannot install the packages here ($why_not), and CI=true"
	log "not installed on this machine ($why_not): checked in $T/root"
	run_sipsad() { "$T/root/usr/sbin/sipsad" "$@"; }
	refuses "$T/root/etc/sipsa/sipsa.conf"
	accepts_sample "$T/root/etc/sipsa/sipsa.conf"
	"$T/root/usr/bin/sipsa-client" --help >"$T/client.out" 2>&1 || :
	expect_in "$T/client.out" 'sipsa-client' "sipsa-client runs"
	log "extracted: sipsad -n refuses without sipsa.conf, accepts the" \
	    "sample; maintainer scripts not run"
	exit 0
fi

need_tool runuser
# As the unit runs it: as sipsa, whose secrets must be its own.
run_sipsad() { runuser -u sipsa -- /usr/sbin/sipsad "$@"; }
APT="apt-get -y -q -o DPkg::Lock::Timeout=120"
export DEBIAN_FRONTEND=noninteractive
# At exit, pass or fail: the packages purged, then what the admin's
# files (made by this test) and the account leave behind.
undo_install() {
	[ -n "$installed" ] || return 0
	h_left=
	for h_p in sipsa sipsa-tools; do
		case $(pkg_state "$h_p") in
		''|not-installed) ;;
		*) h_left="$h_left $h_p" ;;
		esac
	done
	if [ -n "$h_left" ]; then
		$APT purge $h_left >"$T/undo.log" 2>&1 ||
		    { cat "$T/undo.log" >&2; rc=1; }
	fi
	rm -rf /etc/sipsa /var/lib/sipsa
	if getent passwd sipsa >/dev/null; then
		userdel sipsa || rc=1
	fi
	if getent group sipsa >/dev/null; then
		groupdel sipsa || rc=1
	fi
}
on_exit undo_install
installed=1
$APT install --no-install-recommends "$deb" "$tools" >"$T/install.log" 2>&1 ||
    { tail -n 30 "$T/install.log" >&2; fail "apt-get install failed"; }
for p in sipsa sipsa-tools; do
	[ "$(pkg_state "$p")" = installed ] ||
	    fail "$p is $(pkg_state "$p") after apt-get install"
done
for f in $(dpkg -L sipsa sipsa-tools); do
	[ -e "$f" ] || fail "$f, listed by dpkg -L, is not there"
done
[ "$(command -v sipsad)" = /usr/sbin/sipsad ] || fail "sipsad not in PATH"
[ "$(command -v sipsa-client)" = /usr/bin/sipsa-client ] ||
    fail "sipsa-client not in PATH"

# The account and the state directory (postinst).
ent=$(getent passwd sipsa) || fail "no sipsa account after install"
uid=$(echo "$ent" | cut -d: -f3)
[ "$uid" -lt 1000 ] || fail "sipsa is no system account: $ent"
echo "$ent" | grep -q ':/var/lib/sipsa:/usr/sbin/nologin$' ||
    fail "sipsa's home or shell: $ent"
getent group sipsa >/dev/null || fail "no sipsa group"
[ "$(stat -c '%U:%G %a' /var/lib/sipsa)" = "sipsa:sipsa 700" ] ||
    fail "/var/lib/sipsa is $(stat -c '%U:%G %a' /var/lib/sipsa)"
# Enabled (deb-systemd-helper, with or without a running systemd).
want=/etc/systemd/system/multi-user.target.wants/sipsad.service
[ "$(readlink "$want")" = /lib/systemd/system/sipsad.service ] ||
    fail "sipsad.service not enabled: $(ls -l "$want" 2>&1)"
if command -v systemd-analyze >/dev/null 2>&1; then
	out=$(systemd-analyze verify --man=no sipsad.service 2>&1) ||
	    fail "systemd-analyze verify: $out"
	[ -z "$out" ] || fail "systemd-analyze verify says: $out"
fi
log "installed: $(dpkg -L sipsa sipsa-tools | wc -l) paths, account" \
    "sipsa (uid $uid), /var/lib/sipsa sipsa:sipsa 700, unit enabled"

# Not serving until set up: no sipsa.conf, and sipsad -n (its default
# file is /etc/sipsa/sipsa.conf) says what to do.
[ ! -e /etc/sipsa/sipsa.conf ] || fail "/etc/sipsa/sipsa.conf installed"
if run_sipsad -n >"$T/n.out" 2>&1; then
	fail "sipsad -n passed without a configuration"
fi
hint='/etc/sipsa/sipsa.conf does not exist: sipsa is not set up yet;'
hint="$hint copy /etc/sipsa/sipsa.conf.sample to it"
expect_in "$T/n.out" "^sipsad: $hint" "sipsad -n on a fresh install"
refuses /etc/sipsa/sipsa.conf
log "fresh install: $(tail -n 1 "$T/n.out")"

# The admin sets it up: a copy of the sample, a secret, some state.
accepts_sample /etc/sipsa/sipsa.conf
printf 'EXAMPLE:user1:pw\n' >/etc/sipsa/ntlm_users
chown sipsa:sipsa /etc/sipsa/ntlm_users
chmod 600 /etc/sipsa/ntlm_users
run_sipsad -n >"$T/n.out" 2>&1 ||
    { cat "$T/n.out" >&2; fail "sipsad -n refused the admin's set-up"; }
mkdir /var/lib/sipsa/bindings
echo state >/var/lib/sipsa/bindings/data.mdb
chown -R sipsa:sipsa /var/lib/sipsa/bindings
admin="/etc/sipsa/sipsa.conf /etc/sipsa/ntlm_users
    /var/lib/sipsa/bindings/data.mdb"
mkdir "$T/admin"
for f in $admin; do
	cp -p "$f" "$T/admin/$(basename "$f")"
done
kept() {
	for f in $admin; do
		cmp -s "$f" "$T/admin/$(basename "$f")" ||
		    fail "$1 changed or removed $f"
		[ "$(stat -c '%U %a' "$f")" = \
		    "$(stat -c '%U %a' "$T/admin/$(basename "$f")")" ] ||
		    fail "$1 changed the owner or mode of $f"
	done
	[ "$(stat -c '%U:%G %a' /var/lib/sipsa)" = "sipsa:sipsa 700" ] ||
	    fail "$1 changed /var/lib/sipsa"
}

$APT remove sipsa sipsa-tools >"$T/remove.log" 2>&1 ||
    { tail -n 30 "$T/remove.log" >&2; fail "apt-get remove failed"; }
[ "$(pkg_state sipsa)" = config-files ] ||
    fail "sipsa is $(pkg_state sipsa) after remove"
[ ! -e /usr/sbin/sipsad ] || fail "remove left /usr/sbin/sipsad"
kept "apt-get remove"
[ -f /etc/sipsa/sipsa.conf.sample ] || fail "remove took the conffile"
getent passwd sipsa >/dev/null || fail "remove took the sipsa account"
log "apt-get remove: the admin's files and the account are kept"

# Installed again over them: the postinst leaves them alone.
$APT install --no-install-recommends "$deb" "$tools" >"$T/install.log" 2>&1 ||
    { tail -n 30 "$T/install.log" >&2; fail "second install failed"; }
[ "$(getent passwd sipsa | cut -d: -f3)" = "$uid" ] ||
    fail "the second install changed the sipsa account"
kept "a second install"
run_sipsad -n >"$T/n.out" 2>&1 ||
    { cat "$T/n.out" >&2; fail "sipsad -n after the second install"; }

$APT purge sipsa sipsa-tools >"$T/purge.log" 2>&1 ||
    { tail -n 30 "$T/purge.log" >&2; fail "apt-get purge failed"; }
case $(pkg_state sipsa)$(pkg_state sipsa-tools) in
''|not-installed|not-installednot-installed) ;;
*) fail "after purge: sipsa $(pkg_state sipsa)," \
    "sipsa-tools $(pkg_state sipsa-tools)" ;;
esac
kept "apt-get purge"
[ ! -e /etc/sipsa/sipsa.conf.sample ] || fail "purge left the conffile"
[ ! -e "$want" ] && [ ! -L "$want" ] || fail "purge left $want"
log "second install and purge: the admin's files are kept"
