#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Stands in for the pidgin-sipe tests (tests/sipe) when configure found no
# libpurple: says what was not built and skips (exit 77), or fails when
# CI=true, where nothing may be skipped.
echo "libpurple: configure found no libpurple, so the SIPE driver and the" \
    "pidgin-sipe tests (tests/sipe) were not built; install the Debian" \
    "packages libpurple-dev and libglib2.0-dev and run configure again"
[ "${CI:-}" = true ] && exit 1
exit 77
