# bench/: benchmarks; see bench/README.md.  Built with everything else so
# they keep compiling, never run by make check: "make bench" runs
# bench/run-core.sh (throwaway realm, timing, callgrind, 100k SAs).
noinst_PROGRAMS += bench/mechbench
bench_mechbench_SOURCES = bench/mechbench.c tests/mech/helpers.c \
	tests/mech/mech_test.h
bench_mechbench_LDADD = $(SIPSA_LDADD)
EXTRA_DIST += bench/run-core.sh bench/README.md

# The peer benchmark (issue 6): bench/run.sh against Kamailio, the nta
# floor below and sipsad, and the soak (bench/soak.sh); never run by make
# check.
noinst_PROGRAMS += bench/nta-floor
bench_nta_floor_SOURCES = bench/nta-floor.c
bench_nta_floor_LDADD = $(SOFIA_LIBS) $(LIBS)
EXTRA_DIST += bench/run.sh bench/peers.py bench/kamailio/kamailio.cfg \
	bench/soak.sh bench/soak.py bench/attack.py bench/ad-ntlm.sh \
	bench/sipp/digest-register.xml bench/sipp/register.xml \
	bench/sipp/digest-register-loop.xml bench/sipp/register-loop.xml \
	doc/benchmarks.md doc/bench

# BENCH_ARGS="N NCG NSA" for a shorter run.
bench: bench/mechbench
	MECHBENCH=$(abs_builddir)/bench/mechbench \
	    $(SHELL) $(srcdir)/bench/run-core.sh $(BENCH_ARGS)
.PHONY: bench

# The short regression guard (issue 16): a minute at most, printed next to
# bench/quick-baseline.txt; never run by make check.
bench-quick: bench/mechbench
	MECHBENCH=$(abs_builddir)/bench/mechbench \
	    $(SHELL) $(srcdir)/bench/quick.sh $(BENCH_ARGS)
.PHONY: bench-quick
EXTRA_DIST += bench/quick.sh bench/quick-baseline.txt

# Instructions per operation of the whole daemon under callgrind
# (issue 16): bench/profile.sh from a build directory.
EXTRA_DIST += bench/profile.sh
