#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/conf/run.sh: golden tests of sipsa.conf.  "sipsad -n -f FILE" must
# print "configuration OK", exit 0 and write nothing on stderr for every
# good-*.conf and for doc/sipsa.conf.sample (whose "-n -v" output must
# load to the same output again), and must exit 1 with exactly the lines
# of bad-*.err on stderr for every bad-*.conf.
#
# The files run from a copy of tests/conf in a temporary directory, named
# relative to it (so the expected output does not depend on the machine);
# @TMP@ in a .conf or .err file stands for that directory, where the
# secret files the cases name are made with the modes they need.
set -u
LC_ALL=C
export LC_ALL
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}

# The program under test: the daemon's check mode.
CHECK=$top_builddir/sipsad
if [ ! -x "$CHECK" ]; then
	echo "run.sh: $CHECK not built" >&2
	exit 99
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sipsa-conf.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
cp -R "$top_srcdir/tests/conf/." "$tmp/" &&
    cp "$top_srcdir/doc/sipsa.conf.sample" "$tmp/sample.conf" &&
    chmod -R u+w "$tmp" || exit 99
for f in "$tmp"/*.conf "$tmp"/*.err; do
	sed "s|@TMP@|$tmp|g" "$f" >"$f.new" && mv "$f.new" "$f" || exit 99
done

# Secret files: mode 600 passes; the others are refused.
s=$tmp/secrets
mkdir "$s" || exit 99
for name in cert.pem key-600.pem keytab-600 users-600 keytab-640 users-620
do
	printf 'test data\n' >"$s/$name" || exit 99
done
chmod 644 "$s/cert.pem" && chmod 600 "$s/key-600.pem" "$s/keytab-600" \
    "$s/users-600" && chmod 640 "$s/keytab-640" &&
    chmod 620 "$s/users-620" && mkdir -m 700 "$s/key-dir" || exit 99

cd "$tmp" || exit 99
pass=0
fail=0
for f in good-*.conf sample.conf; do
	"$CHECK" -n -f "$f" >out 2>err
	rc=$?
	if [ $rc -eq 0 ] && [ "$(cat out)" = "configuration OK" ] &&
	    [ ! -s err ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f (exit $rc)"
		cat out err
	fi
	# -v prints the effective configuration; it must load the same way
	# and print itself again unchanged (but for its first comment line).
	"$CHECK" -n -v -f "$f" 2>err | sed '$d' >dump1.conf &&
	    "$CHECK" -n -v -f dump1.conf 2>>err | sed '$d' >dump2.conf
	if [ ! -s err ] && [ -s dump1.conf ] &&
	    [ "$(sed 1d dump1.conf)" = "$(sed 1d dump2.conf)" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f: sipsad -n -v output does not load to itself"
		cat err
		diff -u dump1.conf dump2.conf
	fi
done
for f in bad-*.conf; do
	want=${f%.conf}.err
	if [ ! -f "$want" ]; then
		fail=$((fail + 1))
		echo "FAIL: $f has no $want"
		continue
	fi
	"$CHECK" -n -f "$f" >out 2>err
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s out ] && cmp -s "$want" err; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $f (exit $rc)"
		diff -u "$want" err
		cat out
	fi
done
echo "conf: $pass passed, $fail failed"
[ $fail -eq 0 ]
