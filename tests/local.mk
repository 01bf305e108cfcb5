# tests/: the integration tests (unit tests: Makefile.am and the module
# fragments).  Each tests/integration/t-*.sh sources lib.sh (itself or
# through client.sh or route.sh), which brings up a throwaway realm
# (scripts/sipsa-realm) and a sipsad on free loopback ports, and tears
# both down by PID on exit.  Every script test (these, tests/sipe,
# tests/mech, tests/registrar, tests/conf) is built on the one harness,
# tests/lib.sh.
INTEGRATION_TESTS = \
	tests/integration/t-check.sh \
	tests/integration/t-start-stop.sh \
	tests/integration/t-daemon.sh \
	tests/integration/t-options.sh \
	tests/integration/t-sipp-auth.sh \
	tests/integration/t-reload.sh \
	tests/integration/t-validate.sh \
	tests/integration/t-valgrind.sh \
	tests/integration/t-client-ntlm.sh \
	tests/integration/t-client-krb5.sh \
	tests/integration/t-identity-map.sh \
	tests/integration/t-audit.sh \
	tests/integration/t-systemd.sh \
	tests/integration/t-metrics.sh \
	tests/integration/t-trusted-realm.sh \
	tests/integration/t-keytab.sh \
	tests/integration/t-keytab-rotate.sh \
	tests/integration/t-client-407.sh \
	tests/integration/t-challenge-loop.sh \
	tests/integration/t-lockout.sh \
	tests/integration/t-fd-exhaustion.sh \
	tests/integration/t-flood.sh \
	tests/integration/t-connections.sh \
	tests/integration/t-client-version.sh \
	tests/integration/t-route-message.sh \
	tests/integration/t-route-call.sh \
	tests/integration/t-bench-smoke.sh \
	tests/integration/t-persist.sh \
	tests/integration/t-redirect.sh \
	tests/integration/t-replay.sh \
	tests/integration/t-sa-lifetime.sh \
	tests/integration/t-methods.sh \
	tests/integration/t-rfc4475.sh \
	tests/integration/t-sipsactl.sh \
	tests/integration/t-trace.sh
TESTS += $(INTEGRATION_TESTS)

# tests/packaging: the Debian package (debian/, doc/packaging.md), built
# with dpkg-buildpackage from make distdir's files and checked by lintian;
# as root, on a machine without sipsa, it is installed, removed and
# purged for real (the test undoes it at exit).
PACKAGING_TESTS = tests/packaging/t-deb.sh
TESTS += $(PACKAGING_TESTS)
EXTRA_DIST += $(PACKAGING_TESTS)

# tests/ad: a real Active Directory (scripts/sipsa-ad: a Samba AD DC and
# a joined domain member), each test in its own private network and mount
# namespaces; they need root and fail without it.
AD_TESTS = \
	tests/ad/t-ad-env.sh \
	tests/ad/t-ad-ntlm.sh \
	tests/ad/t-ad-kerberos.sh \
	tests/ad/t-ad-directory.sh \
	tests/ad/t-ad-access.sh \
	tests/ad/t-ad-sipe.sh
TESTS += $(AD_TESTS)
EXTRA_DIST += $(AD_TESTS) \
	tests/ad/lib.sh \
	scripts/sipsa-ad
# The template of a provisioned DC that the AD tests copy (tests/ad/lib.sh).
clean-local: clean-ad-cache
clean-ad-cache:
	rm -rf tests/ad/cache
.PHONY: clean-ad-cache

EXTRA_DIST += $(INTEGRATION_TESTS) \
	tests/lib.sh \
	tests/integration/lib.sh \
	tests/integration/client.sh \
	tests/integration/route.sh \
	tests/integration/sipreq.py \
	tests/integration/torture.py \
	tests/integration/notify-listen.py \
	tests/integration/benchcheck.py \
	tests/integration/bigreq.py \
	tests/integration/resend.py \
	tests/integration/tcpconnect.py \
	tests/integration/holdconns.py \
	tests/integration/flood.py \
	tests/integration/tcpidle.py \
	tests/integration/ctlsock.py \
	tests/integration/valgrind.supp \
	tests/sipp/options.xml \
	tests/sipp/register-challenge-401.xml \
	tests/sipp/register-challenge-407.xml \
	tests/sipp/register-ntlm-leg1.xml \
	tests/sipp/register-bad-gssapi.xml \
	tests/sipp/register-garbage-auth.xml \
	tests/sipp/register-missing-epid.xml \
	tests/sipp/register-signed-bogus.xml \
	tests/sipp/register-oversized.xml \
	scripts/sipsa-realm \
	scripts/test \
	scripts/demo

# RFC 4475's 49 torture messages (t-rfc4475.sh; intmeth.dat is also read
# by tests/unit/test_mclass.c and t-methods.sh).
EXTRA_DIST += .gitattributes tests/data/rfc4475/README \
	tests/data/rfc4475/badaspec.dat tests/data/rfc4475/badbranch.dat \
	tests/data/rfc4475/baddate.dat tests/data/rfc4475/baddn.dat \
	tests/data/rfc4475/badinv01.dat tests/data/rfc4475/badvers.dat \
	tests/data/rfc4475/bcast.dat tests/data/rfc4475/bext01.dat \
	tests/data/rfc4475/bigcode.dat tests/data/rfc4475/clerr.dat \
	tests/data/rfc4475/cparam01.dat tests/data/rfc4475/cparam02.dat \
	tests/data/rfc4475/dblreq.dat tests/data/rfc4475/esc01.dat \
	tests/data/rfc4475/esc02.dat tests/data/rfc4475/escnull.dat \
	tests/data/rfc4475/escruri.dat tests/data/rfc4475/insuf.dat \
	tests/data/rfc4475/intmeth.dat tests/data/rfc4475/inv2543.dat \
	tests/data/rfc4475/invut.dat tests/data/rfc4475/longreq.dat \
	tests/data/rfc4475/ltgtruri.dat tests/data/rfc4475/lwsdisp.dat \
	tests/data/rfc4475/lwsruri.dat tests/data/rfc4475/lwsstart.dat \
	tests/data/rfc4475/mcl01.dat tests/data/rfc4475/mismatch01.dat \
	tests/data/rfc4475/mismatch02.dat tests/data/rfc4475/mpart01.dat \
	tests/data/rfc4475/multi01.dat tests/data/rfc4475/ncl.dat \
	tests/data/rfc4475/noreason.dat tests/data/rfc4475/novelsc.dat \
	tests/data/rfc4475/quotbal.dat tests/data/rfc4475/regaut01.dat \
	tests/data/rfc4475/regbadct.dat tests/data/rfc4475/regescrt.dat \
	tests/data/rfc4475/scalar02.dat tests/data/rfc4475/scalarlg.dat \
	tests/data/rfc4475/sdp01.dat tests/data/rfc4475/semiuri.dat \
	tests/data/rfc4475/transports.dat tests/data/rfc4475/trws.dat \
	tests/data/rfc4475/unkscm.dat tests/data/rfc4475/unksm2.dat \
	tests/data/rfc4475/unreason.dat tests/data/rfc4475/wsinv.dat \
	tests/data/rfc4475/zeromf.dat
