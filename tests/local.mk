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
	tests/integration/t-client-407.sh \
	tests/integration/t-challenge-loop.sh \
	tests/integration/t-lockout.sh \
	tests/integration/t-fd-exhaustion.sh \
	tests/integration/t-connections.sh \
	tests/integration/t-client-version.sh \
	tests/integration/t-route-message.sh \
	tests/integration/t-route-call.sh \
	tests/integration/t-bench-smoke.sh \
	tests/integration/t-persist.sh \
	tests/integration/t-redirect.sh \
	tests/integration/t-replay.sh \
	tests/integration/t-sa-lifetime.sh \
	tests/integration/t-methods.sh
TESTS += $(INTEGRATION_TESTS)

EXTRA_DIST += $(INTEGRATION_TESTS) \
	tests/lib.sh \
	tests/integration/lib.sh \
	tests/integration/client.sh \
	tests/integration/route.sh \
	tests/integration/sipreq.py \
	tests/integration/benchcheck.py \
	tests/integration/bigreq.py \
	tests/integration/resend.py \
	tests/integration/tcpconnect.py \
	tests/integration/holdconns.py \
	tests/integration/tcpidle.py \
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
