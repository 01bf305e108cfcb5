#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/conf/run.sh: golden tests of sipsa.conf.  "sipsad -n -f FILE" must
# print "configuration OK" (after the keytab line when the keytab exists),
# exit 0 and write nothing on stderr for every good-*.conf and for
# doc/sipsa.conf.sample (whose "-n -v" output must load to the same output
# again), and must exit 1 with exactly the lines of bad-*.err on stderr for
# every bad-*.conf.
#
# The files run from a copy of tests/conf in a temporary directory, named
# relative to it (so the expected output does not depend on the machine);
# @TMP@ in a .conf or .err file stands for that directory, where the
# secret files the cases name are made with the modes they need.  That
# directory is the harness's scratch directory (tests/lib.sh).
LC_ALL=C
export LC_ALL
TEST_NAME=conf
. "$(dirname "$0")/../lib.sh"

# The program under test: the daemon's check mode.
CHECK=$top_builddir/sipsad
[ -x "$CHECK" ] || fail "$CHECK not built"

cp -R "$top_srcdir/tests/conf/." "$T/"
cp "$top_srcdir/doc/sipsa.conf.sample" "$T/sample.conf"
chmod -R u+w "$T"
# The system paths the files name (/etc/sipsa, /var/lib/sipsa) point
# into the scratch directory, where nothing is: what this machine holds
# there (tests/packaging/t-deb.sh installs the package while this runs)
# must not change the outcome.
for f in "$T"/*.conf "$T"/*.err; do
	sed -e "s|@TMP@|$T|g" -e "s|/etc/sipsa/|$T/sys/etc/sipsa/|g" \
	    -e "s|/var/lib/sipsa|$T/sys/var/lib/sipsa|g" "$f" >"$f.new"
	mv "$f.new" "$f"
done

# Secret files: mode 600 passes; the others are refused.
s=$T/secrets
mkdir "$s"
for name in cert.pem key-600.pem users-600 keytab-640 users-620
do
	printf 'test data\n' >"$s/$name"
done
# sipsad -n reads a keytab that exists: this one holds sip/<fqdn> of
# good-secrets.conf, kvno 1, an aes256 key of zeros (format: MIT's
# keytab.txt, version 0x502).
{
	printf '\005\002\000\000\000\132\000\002'
	printf '\000\014EXAMPLE.TEST\000\003sip\000\022proxy.example.test'
	printf '\000\000\000\003\000\000\000\000\001\000\022\000\040'
	head -c 32 /dev/zero
	printf '\000\000\000\001'
} >"$s/keytab-600"
chmod 644 "$s/cert.pem"
chmod 600 "$s/key-600.pem" "$s/keytab-600" "$s/users-600"
chmod 640 "$s/keytab-640"
chmod 620 "$s/users-620"
mkdir -m 700 "$s/key-dir"

cd "$T"
passed=0
failed=0
for f in good-*.conf sample.conf; do
	rc=0
	"$CHECK" -n -f "$f" >out 2>err || rc=$?
	# A keytab that exists is reported on a line of its own.
	if [ $rc -eq 0 ] &&
	    [ "$(grep -v '^keytab ' out)" = "configuration OK" ] &&
	    [ ! -s err ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $f (exit $rc)"
		cat out err
	fi
	# -v prints the effective configuration; it must load the same way
	# and print itself again unchanged (but for its first comment line).
	"$CHECK" -n -v -f "$f" 2>err | sed '$d' >dump1.conf &&
	    "$CHECK" -n -v -f dump1.conf 2>>err | sed '$d' >dump2.conf || :
	if [ ! -s err ] && [ -s dump1.conf ] &&
	    [ "$(sed 1d dump1.conf)" = "$(sed 1d dump2.conf)" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $f: sipsad -n -v output does not load to itself"
		cat err
		diff -u dump1.conf dump2.conf || :
	fi
done
for f in bad-*.conf; do
	want=${f%.conf}.err
	if [ ! -f "$want" ]; then
		failed=$((failed + 1))
		echo "FAIL: $f has no $want"
		continue
	fi
	rc=0
	"$CHECK" -n -f "$f" >out 2>err || rc=$?
	if [ $rc -eq 1 ] && [ ! -s out ] && cmp -s "$want" err; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $f (exit $rc)"
		diff -u "$want" err || :
		cat out
	fi
done
echo "conf: $passed passed, $failed failed"
[ $failed -eq 0 ]
